// Resource-API errors and how they go on the wire, known behaviours included.
import type { Response } from 'express';
import type { Quirks } from './quirks';

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'token_expired'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation_failed'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static validation(fields: Record<string, string>): ApiError {
    const names = Object.keys(fields).join(', ');
    return new ApiError(422, 'validation_failed', `Invalid fields: ${names}`, { fields });
  }

  static notFound(what: string, id: string): ApiError {
    return new ApiError(404, 'not_found', `${what} ${id} was not found`);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(403, 'forbidden', message);
  }
}

export interface ErrorRendering {
  legacy: boolean;
  quirks: Quirks;
}

// K2: legacy endpoints put every error in a 200 `{ok:false}` envelope. A challenge header on
// a 200 means nothing, so only Retry-After survives there.
// K1 header-only: some gateway nodes drop the body of the expired-token 403.
export function sendApiError(res: Response, err: ApiError, how: ErrorRendering): void {
  const error = { code: err.code, message: err.message, details: err.details };
  if (how.legacy && how.quirks.K2) {
    const retryAfter = err.headers['Retry-After'];
    if (retryAfter !== undefined) res.set('Retry-After', retryAfter);
    res.status(200).json({ ok: false, error });
    return;
  }
  res.set(err.headers);
  if (err.code === 'token_expired' && how.quirks.K1HeaderOnly) {
    res.status(err.status).end();
    return;
  }
  // With K2 off, legacy endpoints keep their envelope but tell the truth in the status.
  res.status(err.status).json(how.legacy ? { ok: false, error } : { error });
}
