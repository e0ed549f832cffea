// Input data as Zapier hands it to a step: optional text may be missing, empty or padded, and
// a mapped value may be of any JSON type whatever the field says. Every step's input is
// checked against the step's own field definitions before the step runs (withCheckedInput,
// applied to the whole app in index.ts): a value that converts without guessing is converted,
// anything else stops the step with a message naming the field, before any request.

import type { Bundle, ZObject } from 'zapier-platform-core';
import { isRecord } from './values';

/** Trimmed text, or undefined when there is none. */
export function clean(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

type Kind = 'text' | 'integer' | 'number' | 'boolean' | 'datetime';

/** Zapier's field types this check understands; `file` and `copy` are left alone. */
const KINDS: Readonly<Record<string, Kind>> = {
  string: 'text',
  text: 'text',
  password: 'text',
  code: 'text',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  datetime: 'datetime',
};

/** A static input field, as far as checking its value goes. */
export interface CheckedField {
  key: string;
  label: string;
  kind: Kind;
  required: boolean;
  list: boolean;
}

/**
 * The checkable part of a field definition, or undefined: dynamic fields (functions), line
 * items (`children`), dictionaries (`dict`) and file or copy fields are not checked here.
 */
export function checkedField(field: unknown): CheckedField | undefined {
  if (!isRecord(field) || typeof field.key !== 'string' || field.key === '') return undefined;
  if (field.children !== undefined || field.dict === true) return undefined;
  const type = field.type === undefined ? 'string' : field.type;
  const kind = typeof type === 'string' && Object.hasOwn(KINDS, type) ? KINDS[type] : undefined;
  if (kind === undefined) return undefined;
  const label = typeof field.label === 'string' && field.label.trim() !== '' ? field.label : field.key;
  return { key: field.key, label, kind, required: field.required === true, list: field.list === true };
}

/** Zapier's datetime fields hold dates up to 9999-12-31; epoch seconds beyond that (or in milliseconds) are refused. */
export const MAX_EPOCH_SECONDS = 253_402_300_799;

const EXPECTED: Readonly<Record<Kind, string>> = {
  text: 'text or a number',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  datetime: 'a date such as 2026-03-31 or a time in epoch seconds',
};

/** A string with an unpaired UTF-16 surrogate: no encoder can send it as it is. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** What a value is, for a message: its kind, or at most 30 characters of short text. */
function described(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'string') {
    if (value.trim() === '') return 'blank text';
    if (LONE_SURROGATE.test(value)) return 'text with a broken character (a lone UTF-16 surrogate)';
    const shown = value.length > 30 ? `${value.slice(0, 29)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${String(value)}`;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return 'a big integer';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  return 'an object';
}

type Outcome = { ok: true; value: unknown } | { ok: false; problem: string };

const fine = (value: unknown): Outcome => ({ ok: true, value });
const refused = (problem: string): Outcome => ({ ok: false, problem });

function name(field: CheckedField): string {
  return `"${field.label}" (${field.key})`;
}

/** What the items of a list field must be, for a message. */
const EXPECTED_ITEMS: Readonly<Record<Kind, string>> = {
  text: 'text or numbers',
  integer: 'whole numbers',
  number: 'numbers',
  boolean: 'true or false values',
  datetime: 'dates or times in epoch seconds',
};

/** `item` counts from 0, and is given only for an item of a list that came as a list. */
function wrongType(field: CheckedField, value: unknown, item?: number): Outcome {
  if (item !== undefined) {
    return refused(
      `${name(field)} must be a list of ${EXPECTED_ITEMS[field.kind]}; item ${item + 1} is ${described(value)}.`,
    );
  }
  const expected = field.list ? `${EXPECTED[field.kind]}, or a list of them` : EXPECTED[field.kind];
  return refused(`${name(field)} must be ${expected}; got ${described(value)}.`);
}

function missing(field: CheckedField, what: string): Outcome {
  return refused(`${name(field)} is required; got ${what}.`);
}

const blank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** One scalar value of a field: converted, left as it is, or refused. Blank values were dealt with before. */
function scalar(field: CheckedField, value: unknown, item?: number): Outcome {
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
    const got = item === undefined ? 'got' : `item ${item + 1} is`;
    return refused(`${name(field)} must be well-formed text; ${got} ${described(value)}.`);
  }
  switch (field.kind) {
    case 'text':
      if (typeof value === 'string') return fine(value);
      // 42 for an id is "42"; NaN and Infinity are no text anyone meant.
      if (typeof value === 'number' && Number.isFinite(value)) return fine(String(value));
      return wrongType(field, value, item);
    case 'integer': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return fine(value);
      const text = typeof value === 'string' ? value.trim() : '';
      if (/^[+-]?\d{1,15}$/.test(text)) return fine(Number(text));
      return wrongType(field, value, item);
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return fine(value);
      const text = typeof value === 'string' ? value.trim() : '';
      if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) && Number.isFinite(Number(text)))
        return fine(Number(text));
      return wrongType(field, value, item);
    }
    case 'boolean': {
      if (typeof value === 'boolean') return fine(value);
      const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (text === 'true' || text === 'false') return fine(text === 'true');
      return wrongType(field, value, item);
    }
    case 'datetime':
      // The text itself is read by the step (a date parser of its own), which names what it expected.
      if (typeof value === 'string') return fine(value);
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_EPOCH_SECONDS)
        return fine(new Date(value * 1000).toISOString());
      return wrongType(field, value, item);
  }
}

/** The value a step receives for `field`, or the reason it receives none. */
export function checkValue(field: CheckedField, value: unknown): Outcome {
  if (field.list) {
    // One value where a list is expected is a list of one; objects are never list items.
    if (isRecord(value)) return wrongType(field, value);
    const items = Array.isArray(value) ? value : blank(value) ? [] : [value];
    const out: unknown[] = [];
    for (const [index, item] of items.entries()) {
      if (item === undefined || item === null) continue;
      // Items are counted only in a list that came as one.
      const outcome = scalar(field, item, Array.isArray(value) ? index : undefined);
      if (!outcome.ok) return outcome;
      out.push(outcome.value);
    }
    if (field.required && out.every(blank)) {
      return missing(
        field,
        out.length === 0 ? described(Array.isArray(value) ? [] : value) : 'only blank items',
      );
    }
    return fine(Array.isArray(value) || !blank(value) ? out : undefined);
  }
  if (blank(value)) {
    if (field.required) return missing(field, described(value));
    // Blank optional text stays as it came (steps trim it); other kinds have no blank value.
    return fine(typeof value === 'string' && field.kind === 'text' ? value : undefined);
  }
  return scalar(field, value);
}

/**
 * `inputData` with every checked field converted, or the first problem found. Keys without a
 * static field definition (dynamic fields) pass as they are.
 */
export function checkInput(
  fields: readonly CheckedField[],
  inputData: unknown,
): { ok: true; inputData: Record<string, unknown> } | { ok: false; problem: string } {
  const source = isRecord(inputData) ? inputData : {};
  const checkedKeys = new Set(fields.map((field) => field.key));
  const out = Object.fromEntries(Object.entries(source).filter(([key]) => !checkedKeys.has(key)));
  for (const field of fields) {
    const outcome = checkValue(field, Object.hasOwn(source, field.key) ? source[field.key] : undefined);
    if (!outcome.ok) return outcome;
    if (outcome.value !== undefined) out[field.key] = outcome.value;
  }
  return { ok: true, inputData: out };
}

type Operation = (z: ZObject, bundle: Bundle) => unknown;

/** The methods that run a step with the user's input; performUnsubscribe is left alone, so a Zap can always be turned off. */
export const CHECKED_METHODS = [
  'perform',
  'performList',
  'performSubscribe',
  'performGet',
  'performResume',
] as const;

/** `fn`, run with `bundle.inputData` checked against `fields` first; a problem stops it before it starts. */
export function withInputChecked<F extends Operation>(fn: F, fields: readonly CheckedField[]): F {
  const wrapped = async (z: ZObject, bundle: Bundle) => {
    const checked = checkInput(fields, bundle.inputData);
    if (!checked.ok) throw new z.errors.Error(checked.problem, 'invalid_input', 400);
    bundle.inputData = checked.inputData;
    return await fn(z, bundle);
  };
  return wrapped as F;
}

/** Every step of the app (triggers, creates, searches) with its input checked before each method in CHECKED_METHODS runs. */
export function withCheckedInput<T extends object>(app: T): T {
  const out: Record<string, unknown> = { ...(app as Record<string, unknown>) };
  for (const kind of ['triggers', 'creates', 'searches']) {
    const steps = out[kind];
    if (!isRecord(steps)) continue;
    const checkedSteps: Record<string, unknown> = {};
    for (const [key, step] of Object.entries(steps)) checkedSteps[key] = withStepChecked(step);
    out[kind] = checkedSteps;
  }
  return out as T;
}

function withStepChecked(step: unknown): unknown {
  if (!isRecord(step) || !isRecord(step.operation)) return step;
  const operation = step.operation;
  const fields = Array.isArray(operation.inputFields)
    ? operation.inputFields.map(checkedField).filter((f): f is CheckedField => f !== undefined)
    : [];
  const checked: Record<string, unknown> = { ...operation };
  for (const method of CHECKED_METHODS) {
    const fn = operation[method];
    if (typeof fn === 'function') checked[method] = withInputChecked(fn as Operation, fields);
  }
  return { ...step, operation: checked };
}
