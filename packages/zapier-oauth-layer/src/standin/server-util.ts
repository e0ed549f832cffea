// Small helpers every provider file uses: random token material, reading an Authorization
// header, and the error a test gets for asking a stand-in for something it does not have.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Random URL-safe characters. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomUuid(): string {
  const h = randomHex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The token after `scheme ` in the Authorization header (scheme compared case-insensitively). */
export function authorizationToken(
  headers: IncomingHttpHeaders,
  schemes: readonly string[],
): string | undefined {
  const value = headers.authorization;
  if (!value) return undefined;
  const space = value.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = value.slice(0, space).toLowerCase();
  if (!schemes.some((s) => s.toLowerCase() === scheme)) return undefined;
  const token = value.slice(space + 1).trim();
  return token || undefined;
}

export class StandInUsageError extends Error {
  override name = 'StandInUsageError';
}
