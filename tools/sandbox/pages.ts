// The HTML the person connecting their account sees. Plain forms posting back to
// /oauth/authorize, with stable names and ids, so fetch-driven tests and a real browser
// drive the very same page.
import type { Scope } from './store';

export const SCOPE_LABELS: Record<Scope, string> = {
  'clients:read': 'View your clients',
  'clients:write': 'Create and edit clients',
  'projects:read': 'View projects',
  'projects:write': 'Create projects',
  'tasks:read': 'View tasks',
  'tasks:write': 'Create and complete tasks',
  webhooks: 'Notify the app when things change (webhooks)',
  offline_access: 'Stay connected when you are not using it (refresh tokens)',
};

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · Practice</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1d2330; }
  label { display: block; margin: .5rem 0; }
  input[type=email], input[type=password] { width: 100%; padding: .4rem; }
  .error { color: #a11; border: 1px solid #a11; padding: .5rem; }
  fieldset { margin: 1rem 0; }
  button { padding: .5rem 1rem; margin-right: .5rem; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export interface ConsentPageInput {
  clientName: string;
  // The original authorize parameters, carried through the form unchanged, and the
  // page's single-use consent token (csrf_token).
  hidden: Record<string, string>;
  requestedScopes: Scope[];
  checkedScopes: Scope[];
  email?: string;
  error?: string;
}

export function consentPage(input: ConsentPageInput): string {
  const hidden = Object.entries(input.hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n  ');
  const scopes = input.requestedScopes
    .map((scope) => {
      const id = `scope-${scope.replace(/[^a-z]/g, '-')}`;
      const checked = input.checkedScopes.includes(scope) ? ' checked' : '';
      return `<label for="${id}"><input type="checkbox" name="scope" id="${id}" value="${escapeHtml(scope)}"${checked}> ${escapeHtml(SCOPE_LABELS[scope])} <code>${escapeHtml(scope)}</code></label>`;
    })
    .join('\n    ');
  const error = input.error ? `<p class="error" id="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  const scopeBlock =
    input.requestedScopes.length > 0
      ? `<fieldset>
    <legend>${escapeHtml(input.clientName)} asks to:</legend>
    ${scopes}
  </fieldset>`
      : `<p>${escapeHtml(input.clientName)} asks only to see who you are.</p>`;

  return layout(
    'Connect your account',
    `<h1>Connect ${escapeHtml(input.clientName)} to Practice</h1>
${error}
<form method="post" action="/oauth/authorize" id="consent">
  ${hidden}
  <label for="email">Email <input type="email" name="email" id="email" autocomplete="username" value="${escapeHtml(input.email ?? '')}"></label>
  <label for="password">Password <input type="password" name="password" id="password" autocomplete="current-password"></label>
  ${scopeBlock}
  <button type="submit" name="decision" value="approve" id="approve">Approve</button>
  <button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>`,
  );
}

export function errorPage(
  title: string,
  message: string,
  advice = 'Nothing was sent back to the application. Check its OAuth settings (client id and redirect URI).',
): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p id="error">${escapeHtml(message)}</p>
<p>${escapeHtml(advice)}</p>`,
  );
}
