// Calendar dates for the API's `due_date` (YYYY-MM-DD), checked before any request is sent.

import type { ZObject } from 'zapier-platform-core';

// Zapier's datetime fields turn "next friday" into a full ISO 8601 date-time with
// the user's offset; the calendar date is the one written there, never the UTC one.
const DATE_OR_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

export type DateOutcome = { ok: true; date: string } | { ok: false; message: string };

/** A date the user typed or mapped -> `YYYY-MM-DD`, or a message naming the field. */
export function toApiDate(label: string, value: string): DateOutcome {
  const text = value.trim();
  const match = DATE_OR_DATE_TIME.exec(text);
  const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  const invalid = {
    ok: false as const,
    message: `${label} must be a date such as 2026-03-31 (YYYY-MM-DD), not "${shown}".`,
  };
  if (!match) return invalid;
  const [, y, m, d, hh, mm, ss] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (!isRealDate(year, month, day)) return invalid;
  if (hh !== undefined && (Number(hh) > 23 || Number(mm) > 59 || (ss !== undefined && Number(ss) > 59))) {
    return invalid;
  }
  return { ok: true, date: `${y}-${m}-${d}` };
}

/** An optional date input -> `YYYY-MM-DD` or undefined; an invalid one stops the step before any request. */
export function optionalApiDate(z: ZObject, label: string, value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  const parsed = toApiDate(label, value);
  if (!parsed.ok) throw new z.errors.Error(parsed.message, 'invalid_input', 400);
  return parsed.date;
}
