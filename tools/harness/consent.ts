// Drives Practice's HTML login and consent page over plain HTTP, the way a
// person's browser would: fetch the page, keep its hidden fields, tick the
// chosen scopes, submit, and read the code off the redirect.

export interface ConsentOptions {
  email: string;
  password: string;
  /** Scopes to leave ticked; default: every scope the page offers. */
  approve?: (offered: string[]) => string[];
  decision?: 'approve' | 'deny';
}

export interface ConsentResult {
  /** Where Practice redirected the browser. */
  location: string;
  code: string | null;
  state: string | null;
  error: string | null;
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(tag);
  return match?.[1] !== undefined ? decodeEntities(match[1]) : null;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export async function consent(authorizeUrl: string, options: ConsentOptions): Promise<ConsentResult> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${html.slice(0, 200)}`);

  const form = new URLSearchParams();
  const offered: string[] = [];
  for (const tag of html.match(/<input\b[^>]*>/g) ?? []) {
    const type = attribute(tag, 'type');
    const name = attribute(tag, 'name');
    const value = attribute(tag, 'value') ?? '';
    if (type === 'hidden' && name) form.append(name, value);
    if (type === 'checkbox' && name === 'scope') offered.push(value);
  }
  if (offered.length === 0 && !/asks only to see who you are/.test(html)) {
    throw new Error('consent page offered no scopes');
  }
  form.set('email', options.email);
  form.set('password', options.password);
  for (const scope of options.approve ? options.approve(offered) : offered) form.append('scope', scope);
  form.set('decision', options.decision ?? 'approve');

  const action = new URL('/oauth/authorize', authorizeUrl).toString();
  const answer = await fetch(action, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const location = answer.headers.get('location');
  if (!location) {
    const text = await answer.text();
    throw new Error(`consent answered ${answer.status} without a redirect: ${text.slice(0, 300)}`);
  }
  const params = new URL(location).searchParams;
  return { location, code: params.get('code'), state: params.get('state'), error: params.get('error') };
}
