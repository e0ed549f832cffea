// Configuration and the connection, read the way `zapier-platform invoke` reads them:
// `.env` in the project folder parsed by dotenv (the CLI's own parser, same version),
// connection fields as `authData_<key>` (zapier-platform-cli/src/oclif/commands/invoke/env.js,
// loadAuthDataFromEnv). One difference, on purpose: here the process environment wins over
// `.env`, while invoke loads `.env` with `override: true` (invoke/index.js); the config
// check says so when the two disagree.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import dotenv from 'dotenv';

/** The prefix `invoke auth start` writes connection fields under (invoke/env.js). */
export const AUTH_FIELD_PREFIX = 'authData_';

/** Practice's configuration; --profile and --discover name their own. */
const PRACTICE_CONFIG_KEYS = ['BASE_URL', 'CLIENT_ID', 'CLIENT_SECRET'] as const;

export interface LoadedEnv {
  /** The .env file's path, whether or not it exists. */
  file: string;
  fileExists: boolean;
  /** What the doctor uses: the process environment, then .env for what it lacks. */
  values: Record<string, string>;
  /** Connection fields without their prefix. */
  authData: Record<string, string>;
  /** Config keys set differently in the environment and in .env (names only, never values). */
  disagreements: string[];
}

export function loadEnv(
  file: string,
  processEnv: NodeJS.ProcessEnv,
  configKeys: readonly string[] = PRACTICE_CONFIG_KEYS,
): LoadedEnv {
  const fileExists = existsSync(file);
  // dotenv.parse keeps the last of repeated keys, as `invoke auth start` appends.
  const parsed = fileExists ? dotenv.parse(readFileSync(file, 'utf8')) : {};
  const values: Record<string, string> = { ...parsed };
  for (const [key, value] of Object.entries(processEnv)) {
    if (value !== undefined) values[key] = value;
  }
  const authData: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(AUTH_FIELD_PREFIX) && key.length > AUTH_FIELD_PREFIX.length) {
      authData[key.slice(AUTH_FIELD_PREFIX.length)] = value;
    }
  }
  const watched = (key: string) => configKeys.includes(key) || key.startsWith(AUTH_FIELD_PREFIX);
  const disagreements = Object.keys(parsed).filter(
    (key) => watched(key) && processEnv[key] !== undefined && processEnv[key] !== parsed[key],
  );
  return { file, fileExists, values, authData, disagreements };
}

/**
 * `KEY='value'` as invoke's appendEnv writes it; a value with a single quote in backquotes, which
 * dotenv reads as they are (in double quotes it would turn a token's `\n` into a line break).
 * The values come from a token endpoint's answer, so a server chooses them: a line break would
 * put a line of the server's own (`BASE_URL=…`) into .env once the field is next rewritten, so a
 * value outside RFC 6749's printable characters (%x20-7E, appendix A) is refused, as is one that
 * no quote can hold; the doctor then says the tokens could not be written.
 */
function envLine(key: string, value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new Error(
      `${key}'s new value has a character a token never has (a line break or another control character)`,
    );
  if (!value.includes("'")) return `${key}='${value}'`;
  if (!value.includes('`')) return `${key}=\`${value}\``;
  throw new Error(`${key}'s new value has both a single quote and a backquote, which .env cannot hold`);
}

/**
 * Writes connection fields back to .env: every line that sets one of them is rewritten in
 * place (invoke appends, so a key may appear more than once), fields not there yet are
 * appended, and every other line is kept as it was.
 */
export function writeAuthData(file: string, fields: Record<string, string>): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const pending = new Map(Object.entries(fields));
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const out = lines.map((line) => {
    const key = /^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(line)?.[1];
    const field = key?.startsWith(AUTH_FIELD_PREFIX) ? key.slice(AUTH_FIELD_PREFIX.length) : undefined;
    if (key === undefined || field === undefined || !Object.hasOwn(fields, field)) return line;
    pending.delete(field);
    return envLine(key, fields[field] ?? '');
  });
  for (const [field, value] of pending) out.push(envLine(`${AUTH_FIELD_PREFIX}${field}`, value));
  writeFileSync(file, `${out.join('\n')}\n`, { mode: 0o600 });
}

// layer/endpoints.ts reads process.env; the doctor sets what it found and puts everything back.
export async function withConfig<T>(
  keys: readonly string[],
  values: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = keys.map((key) => [key, process.env[key]] as const);
  for (const key of keys) {
    if (values[key] === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = values[key];
  }
  try {
    return await fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}
