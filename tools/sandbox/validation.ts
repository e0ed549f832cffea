// Reading untrusted request input. Each reader records a field-level message instead of
// throwing, so one 422 names every bad field at once.
import type { Request } from 'express';
import { ApiError } from './errors';
import { DEFAULT_LIMIT, MAX_LIMIT } from './paging';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO 8601 date-time with a zone (Z or ±hh:mm), as `updated_since` expects.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value) && value.length <= 254;
}

export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export class Fields {
  readonly errors: Record<string, string> = {};
  private readonly body: Record<string, unknown>;

  constructor(req: Request) {
    const body: unknown = req.body ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ApiError.validation({ body: 'must be a JSON object' });
    }
    this.body = { ...body };
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.body, name);
  }

  fail(name: string, message: string): undefined {
    this.errors[name] ??= message;
    return undefined;
  }

  // undefined: absent (or invalid, with an error recorded); null: explicitly cleared.
  string(
    name: string,
    opts: { required?: boolean; max?: number; nullable?: boolean } = {},
  ): string | null | undefined {
    const value = this.body[name];
    if (value === undefined || (value === '' && opts.required)) {
      return opts.required ? this.fail(name, 'is required') : undefined;
    }
    if (value === null) {
      return opts.nullable && !opts.required
        ? null
        : this.fail(name, opts.required ? 'is required' : 'must be a string');
    }
    if (typeof value !== 'string') return this.fail(name, 'must be a string');
    const trimmed = value.trim();
    if (opts.required && trimmed.length === 0) return this.fail(name, 'is required');
    if (opts.max !== undefined && trimmed.length > opts.max) {
      return this.fail(name, `must be at most ${opts.max} characters`);
    }
    return trimmed;
  }

  email(name: string): string | null | undefined {
    const value = this.string(name, { nullable: true, max: 254 });
    if (typeof value === 'string' && !isEmail(value)) return this.fail(name, 'is not a valid email address');
    return value === '' ? null : value;
  }

  date(name: string): string | null | undefined {
    const value = this.string(name, { nullable: true });
    if (typeof value === 'string' && !isCalendarDate(value)) {
      return this.fail(name, 'must be a date in YYYY-MM-DD format');
    }
    return value === '' ? null : value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.body[name];
    if (value === undefined) return undefined;
    const match = allowed.find((a) => a === value);
    return match ?? this.fail(name, `must be one of: ${allowed.join(', ')}`);
  }

  tags(name: string): string[] | undefined {
    const value = this.body[name];
    if (value === undefined) return undefined;
    if (value === null) return [];
    if (!Array.isArray(value) || !value.every((t): t is string => typeof t === 'string')) {
      return this.fail(name, 'must be an array of strings');
    }
    const tags = [...new Set(value.map((t) => t.trim()).filter((t) => t.length > 0))];
    if (tags.length > 20) return this.fail(name, 'must have at most 20 tags');
    if (tags.some((t) => t.length > 50)) return this.fail(name, 'must each be at most 50 characters');
    return tags;
  }

  // Throws the collected 422, if any.
  check(): void {
    if (Object.keys(this.errors).length > 0) throw ApiError.validation(this.errors);
  }
}

export function queryString(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw ApiError.validation({ [name]: 'must be given once' });
  return value;
}

export function queryLimit(req: Request): number {
  const raw = queryString(req, 'limit');
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIMIT) {
    throw ApiError.validation({ limit: `must be an integer from 1 to ${MAX_LIMIT}` });
  }
  return limit;
}

export function queryOneOf<T extends string>(
  req: Request,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const raw = queryString(req, name);
  if (raw === undefined) return undefined;
  const match = allowed.find((a) => a === raw);
  if (!match) throw ApiError.validation({ [name]: `must be one of: ${allowed.join(', ')}` });
  return match;
}

// Returns the instant as a normalised ISO string, so it compares with stored timestamps.
export function queryTimestamp(req: Request, name: string): string | undefined {
  const raw = queryString(req, name);
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!DATE_TIME.test(raw) || Number.isNaN(ms)) {
    throw ApiError.validation({ [name]: 'must be an ISO 8601 timestamp such as 2025-01-31T09:00:00Z' });
  }
  return new Date(ms).toISOString();
}
