// A log of every request the sandbox answered, so tests can assert what the integration
// actually sent (how many calls, with which token) without ever storing a token.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { RotationOutcome } from './oauth-model';

export type TokenGrantType = 'authorization_code' | 'refresh_token';

export interface RequestLogEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  hasBearer: boolean;
  // First 12 hex chars of SHA-256(token): enough to tell tokens apart, useless to a thief.
  tokenFingerprint: string | null;
  grantId: string | null;
  memberId: string | null;
  errorCode: string | null;
  legacy: boolean;
  // POST /oauth/token only (null elsewhere): the grant_type asked for (null if unsupported),
  // what a refresh did to its refresh token (null for code exchanges and requests refused
  // before the token was looked at), and fingerprints of the refresh token presented and of
  // the tokens issued (a grace replay issues the pair it issued before).
  grantType: TokenGrantType | null;
  rotation: RotationOutcome | null;
  presentedRefreshFingerprint: string | null;
  issuedRefreshFingerprint: string | null;
  issuedAccessFingerprint: string | null;
}

export type RequestFilter = Partial<RequestLogEntry> | ((entry: RequestLogEntry) => boolean);

// What handlers learn about a request while answering it; read back when it finishes.
export interface RequestMeta {
  bearer?: string;
  grantId?: string;
  memberId?: string;
  errorCode?: string;
  legacy?: boolean;
  grantType?: TokenGrantType;
  rotation?: RotationOutcome;
  // Fingerprints only: the log never holds a token handed out or presented.
  presentedRefreshFingerprint?: string;
  issuedRefreshFingerprint?: string;
  issuedAccessFingerprint?: string;
}

const metas = new WeakMap<Request, RequestMeta>();

export function metaOf(req: Request): RequestMeta {
  let meta = metas.get(req);
  if (!meta) {
    meta = {};
    metas.set(req, meta);
  }
  return meta;
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

// Parameters that are credentials in their own right never reach the log.
const SECRET_PARAMS = new Set([
  'access_token',
  'refresh_token',
  'code',
  'code_verifier',
  'client_secret',
  'token',
]);

function loggableQuery(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof query !== 'object' || query === null) return out;
  for (const [key, value] of Object.entries(query)) {
    const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
    out[key] = SECRET_PARAMS.has(key) ? '[redacted]' : text;
  }
  return out;
}

// Read from the raw header so even requests refused before authentication are attributed.
export function bearerFrom(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function matches(entry: RequestLogEntry, filter: RequestFilter): boolean {
  if (typeof filter === 'function') return filter(entry);
  return Object.entries(filter).every(([key, value]) => entry[key as keyof RequestLogEntry] === value);
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly now: () => number) {}

  get all(): readonly RequestLogEntry[] {
    return this.entries;
  }

  reset(): void {
    this.entries = [];
  }

  count(filter: RequestFilter = {}): number {
    return this.entries.filter((entry) => matches(entry, filter)).length;
  }

  filter(filter: RequestFilter = {}): RequestLogEntry[] {
    return this.entries.filter((entry) => matches(entry, filter));
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const at = new Date(this.now()).toISOString();
      const path = req.path;
      const query = loggableQuery(req.query);
      res.on('finish', () => {
        const meta = metaOf(req);
        const bearer = meta.bearer ?? bearerFrom(req);
        this.seq += 1;
        this.entries.push({
          seq: this.seq,
          at,
          method: req.method,
          path,
          query,
          status: res.statusCode,
          hasBearer: bearer !== undefined,
          tokenFingerprint: bearer === undefined ? null : tokenFingerprint(bearer),
          grantId: meta.grantId ?? null,
          memberId: meta.memberId ?? null,
          errorCode: meta.errorCode ?? null,
          legacy: meta.legacy ?? false,
          grantType: meta.grantType ?? null,
          rotation: meta.rotation ?? null,
          presentedRefreshFingerprint: meta.presentedRefreshFingerprint ?? null,
          issuedRefreshFingerprint: meta.issuedRefreshFingerprint ?? null,
          issuedAccessFingerprint: meta.issuedAccessFingerprint ?? null,
        });
      });
      next();
    };
  }
}
