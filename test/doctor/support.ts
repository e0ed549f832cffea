// Shared by the doctor's tests: run it in this process, read its JSON, make a connection to a
// sandbox the test owns and write it to a .env the way `zapier-platform invoke auth start` does.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Sandbox } from '../../tools/sandbox/server';
import { doctor } from '../../tools/doctor/cli';
import type { Check } from 'zapier-oauth-layer/doctor';
import { sandboxHooks } from '../../tools/doctor/sandbox-mode';
import { type TokenAuthData } from 'zapier-oauth-layer/internal';

export interface Report {
  code: number;
  output: string;
  checks: Check[];
  byId: (id: string) => Check;
}

/** Runs `npm run doctor -- <argv> --json` in this process and parses what it printed. */
export async function runJson(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = tmpdir()): Promise<Report> {
  const { code, output } = await doctor([...argv, '--json'], env, cwd);
  const parsed = JSON.parse(output) as { checks: Check[] };
  const byId = (id: string) => {
    const check = parsed.checks.find((c) => c.id === id);
    if (!check) throw new Error(`no check ${id} in ${output}`);
    return check;
  };
  return { code, output, checks: parsed.checks, byId };
}

/** A connection through the sandbox's consent page, made with the app's own OAuth2 functions. */
export async function connect(sandbox: Sandbox, scopes?: readonly string[]): Promise<TokenAuthData> {
  const saved = {
    BASE_URL: process.env.BASE_URL,
    CLIENT_ID: process.env.CLIENT_ID,
    CLIENT_SECRET: process.env.CLIENT_SECRET,
  };
  process.env.BASE_URL = sandbox.url;
  process.env.CLIENT_ID = sandbox.clientId;
  process.env.CLIENT_SECRET = sandbox.clientSecret;
  try {
    return await sandboxHooks(sandbox).connect(scopes);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

/** A project folder holding a .env as `invoke auth start` leaves it (values quoted, appended). */
export function projectWithEnv(
  config: { BASE_URL: string; CLIENT_ID: string; CLIENT_SECRET: string },
  tokens: TokenAuthData,
  extraLines: string[] = [],
): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'doctor-'));
  const file = path.join(dir, '.env');
  const lines = [
    ...extraLines,
    `BASE_URL=${config.BASE_URL}`,
    `CLIENT_ID=${config.CLIENT_ID}`,
    `CLIENT_SECRET=${config.CLIENT_SECRET}`,
    `authData_access_token='${tokens.access_token}'`,
    `authData_refresh_token='${tokens.refresh_token}'`,
    `authData_expires_at='${tokens.expires_at}'`,
    `authData_scope='${tokens.scope}'`,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { dir, file };
}

/** One refresh with `refreshToken`, straight at the token endpoint: status and body. */
export async function refreshWith(
  sandbox: Sandbox,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Process environment for a run: nothing of the real one leaks in. */
export const NO_ENV: NodeJS.ProcessEnv = {};
