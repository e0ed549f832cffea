// Drives the sandbox the way a client would: real HTTP on 127.0.0.1, the HTML consent
// page parsed and posted back, PKCE computed here.
import { createHash, randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../tools/sandbox/server';

export const OWNER = 'owner@ledger.example';
export const ADMIN = 'admin@ledger.example';
export const STAFF = 'staff@ledger.example';
export const PASSWORD = 'practice-demo';
export const REDIRECT_URI = 'http://localhost:9000';
export const ALL_SCOPES =
  'clients:read clients:write projects:read projects:write tasks:read tasks:write webhooks offline_access';

export interface TestClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function testClock(start = Date.parse('2026-03-02T09:00:00.000Z')): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export async function startTestSandbox(
  opts: SandboxOptions = {},
): Promise<{ sandbox: Sandbox; clock: TestClock }> {
  const clock = testClock();
  const sandbox = await startSandbox({ port: 0, clock: clock.now, ...opts });
  return { sandbox, clock };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function authorizeUrl(sandbox: Sandbox, params: Record<string, string | undefined>): string {
  const url = new URL('/oauth/authorize', sandbox.url);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.toString();
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

// Every <input type="hidden"> of the consent form.
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) fields[name] = unescapeHtml(value);
  }
  return fields;
}

export function scopeCheckboxes(html: string): Array<{ value: string; checked: boolean }> {
  return [
    ...html.matchAll(/<input type="checkbox" name="scope" id="[^"]+" value="([^"]+)"( checked)?>/g),
  ].map((m) => ({ value: m[1] ?? '', checked: m[2] !== undefined }));
}

export interface ConsentOptions {
  scope?: string;
  state?: string;
  email?: string;
  password?: string;
  decision?: 'approve' | 'deny';
  // Scopes the user unticks on the consent page.
  untick?: string[];
  redirectUri?: string;
}

// GET the consent page, fill it in like a person would, POST it; returns the response.
export async function submitConsent(
  sandbox: Sandbox,
  challenge: string,
  opts: ConsentOptions = {},
): Promise<Response> {
  const page = await fetch(
    authorizeUrl(sandbox, {
      response_type: 'code',
      client_id: sandbox.clientId,
      redirect_uri: opts.redirectUri ?? REDIRECT_URI,
      state: opts.state ?? 'state-123',
      scope: opts.scope ?? ALL_SCOPES,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
  );
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${html}`);
  const form = new URLSearchParams(hiddenFields(html));
  form.set('email', opts.email ?? OWNER);
  form.set('password', opts.password ?? PASSWORD);
  for (const box of scopeCheckboxes(html)) {
    if (box.checked && !(opts.untick ?? []).includes(box.value)) form.append('scope', box.value);
  }
  form.set('decision', opts.decision ?? 'approve');
  return fetch(new URL('/oauth/authorize', sandbox.url), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
}

export async function authorizationCode(
  sandbox: Sandbox,
  opts: ConsentOptions = {},
): Promise<{ code: string; verifier: string; location: URL }> {
  const { verifier, challenge } = pkce();
  const response = await submitConsent(sandbox, challenge, opts);
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`expected a redirect, got ${response.status}`);
  const url = new URL(location);
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier, location: url };
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export async function tokenRequest(
  sandbox: Sandbox,
  params: Record<string, string>,
  auth: 'basic' | 'post' | 'none' = 'basic',
): Promise<Response> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = {};
  if (auth === 'basic') headers.authorization = basicAuth(sandbox.clientId, sandbox.clientSecret);
  if (auth === 'post') {
    form.set('client_id', sandbox.clientId);
    form.set('client_secret', sandbox.clientSecret);
  }
  return fetch(new URL('/oauth/token', sandbox.url), { method: 'POST', headers, body: form });
}

export interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number | string;
  refresh_token?: string;
  scope: string;
}

export async function connect(sandbox: Sandbox, opts: ConsentOptions = {}): Promise<TokenBody> {
  const { code, verifier } = await authorizationCode(sandbox, opts);
  const response = await tokenRequest(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: opts.redirectUri ?? REDIRECT_URI,
    code_verifier: verifier,
  });
  const body = (await response.json()) as TokenBody;
  if (!body.access_token) throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  return body;
}

export async function refresh(
  sandbox: Sandbox,
  refreshToken: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return tokenRequest(sandbox, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

export async function api(
  sandbox: Sandbox,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(new URL(path, sandbox.url), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export interface LegacyBody {
  ok: boolean;
  error?: ApiErrorBody['error'];
  data?: unknown;
  next_cursor?: string | null;
}
