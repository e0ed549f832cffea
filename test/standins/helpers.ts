// Plain fetch against a stand-in on 127.0.0.1: no network, no nock.
import type { StandIn } from 'zapier-oauth-layer/standin';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: unknown;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export interface TokenCall {
  /** Form fields (client credentials included when the caller puts them in the body). */
  form: Record<string, string>;
  /** Extra query string. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export async function postToken(standIn: StandIn, tokenPath: string, call: TokenCall): Promise<Answer> {
  const url = new URL(tokenPath, standIn.url);
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
  return answer(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...call.headers },
      body: new URLSearchParams(call.form).toString(),
    }),
  );
}

/** GET the probe path; `authorization` is the whole header value (omitted when undefined). */
export async function getProbe(standIn: StandIn, authorization?: string, query = ''): Promise<Answer> {
  return answer(
    await fetch(`${standIn.url}${standIn.probePath}${query}`, {
      headers: authorization === undefined ? {} : { authorization },
    }),
  );
}

/** Any other endpoint: `json` is sent as a JSON body; `authorization` is the whole header value. */
export async function call(
  standIn: StandIn,
  method: 'GET' | 'POST',
  path: string,
  options: { authorization?: string; json?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return answer(
    await fetch(`${standIn.url}${path}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    }),
  );
}

/** Body fields of the usual shapes, read without `any`. */
export function field(body: unknown, key: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
}

export function str(body: unknown, key: string): string {
  const value = field(body, key);
  if (typeof value !== 'string') throw new Error(`field ${key} is not a string`);
  return value;
}
