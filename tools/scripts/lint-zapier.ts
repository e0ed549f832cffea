// Offline publishing checks: the Zapier integration checks that can be decided from
// the app definition alone, run against the built app (`npm run build` first).
//
//   npm run lint:zapier        (tsx tools/scripts/lint-zapier.ts)
//
// Each check quotes its rule from Zapier's "Integration Checks Reference"
// (https://docs.zapier.com/platform/publish/integration-checks-reference). Checks
// named X… are this project's own house rules (its style guide), not Zapier's.

import path from 'node:path';

export type CheckId =
  | 'D003'
  | 'D004'
  | 'D005'
  | 'D010'
  | 'D011'
  | 'D012'
  | 'D018'
  | 'D021'
  | 'D022'
  | 'D023'
  | 'D024'
  | 'X001'
  | 'X002';

export type Outcome = 'pass' | 'fail' | 'n/a';

export interface Finding {
  step: string;
  check: CheckId;
  message: string;
}

export interface Report {
  checks: readonly CheckId[];
  rows: Array<{ step: string; results: Record<CheckId, Outcome> }>;
  findings: Finding[];
  ok: boolean;
}

export const CHECKS: readonly CheckId[] = [
  'D003',
  'D004',
  'D005',
  'D010',
  'D011',
  'D012',
  'D018',
  'D021',
  'D022',
  'D023',
  'D024',
  'X001',
  'X002',
];

/** ID-like input fields that cannot have a dropdown, with the reason (D004). */
export const D004_EXEMPT: Readonly<Record<string, string>> = {
  'creates.create_client.external_id':
    "an ID in the user's other system (e.g. a CRM); Practice cannot list those",
};

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

type Kind = 'triggers' | 'creates' | 'searches';

interface Step {
  id: string;
  kind: Kind;
  key: string;
  display: Rec;
  operation: Rec;
}

function stepsOf(app: Rec): Step[] {
  const steps: Step[] = [];
  for (const kind of ['triggers', 'creates', 'searches'] as const) {
    const group = app[kind];
    if (!isRecord(group)) continue;
    for (const [key, step] of Object.entries(group)) {
      if (!isRecord(step)) continue;
      steps.push({
        id: `${kind}.${key}`,
        kind,
        key,
        display: isRecord(step.display) ? step.display : {},
        operation: isRecord(step.operation) ? step.operation : {},
      });
    }
  }
  return steps;
}

/** Input fields given as objects; functions (dynamic fields) cannot be checked offline. */
function staticInputFields(step: Step): Rec[] {
  const fields = step.operation.inputFields;
  return Array.isArray(fields) ? fields.filter(isRecord) : [];
}

function outputFields(step: Step): Rec[] {
  const fields = step.operation.outputFields;
  return Array.isArray(fields) ? fields.filter(isRecord) : [];
}

function isPolling(step: Step): boolean {
  return step.kind === 'triggers' && (step.operation.type === undefined || step.operation.type === 'polling');
}

// ---------- helpers for the text rules ----------

// Words a title-cased label keeps in lower case unless first or last (the usual
// title-case convention, which Zapier's suggested fixes follow).
const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'but',
  'by',
  'en',
  'for',
  'if',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'v',
  'via',
  'vs',
]);

/** The title-cased form of a label, keeping acronyms and inner capitals as written. */
export function titleCase(label: string): string {
  const words = label.trim().split(/\s+/);
  return words
    .map((word, index) => {
      const lower = word.toLowerCase();
      const edge = index === 0 || index === words.length - 1;
      if (!edge && SMALL_WORDS.has(lower)) return lower;
      return word.charAt(0).toUpperCase() + word.slice(1);
    })
    .join(' ');
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function isIsoDateOrDateTime(value: string): boolean {
  return (ISO_DATE.test(value) || ISO_DATE_TIME.test(value)) && !Number.isNaN(Date.parse(value));
}

/** A string that reads like a date or time, whatever its format. */
function looksLikeDate(key: string, value: string): boolean {
  if (/(^|_)(at|on|date|time)$|date|time/i.test(key)) return true;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return true;
  return /\b\d{1,2}[ /.-](jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[ /.-]\d{2,4}\b/i.test(value);
}

function walkStrings(value: unknown, at: string, visit: (key: string, path: string, text: string) => void) {
  if (typeof value === 'string') {
    visit(at.split('.').pop() ?? at, at, value);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => walkStrings(item, `${at}[${i}]`, visit));
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) walkStrings(child, at ? `${at}.${key}` : key, visit);
  }
}

/** Zapier output field keys: `a__b` is nested, `a[]` is a list. */
function fieldPath(key: string): { segments: string[]; list: boolean } {
  const list = key.endsWith('[]');
  const bare = list ? key.slice(0, -2) : key;
  return { segments: bare.split('__'), list };
}

function valueAt(sample: Rec, segments: string[]): unknown {
  let current: unknown = sample;
  for (const segment of segments) {
    if (!isRecord(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
    case 'string':
    case 'text':
    case 'password':
    case 'copy':
    case 'file':
      return typeof value === 'string';
    default:
      return true;
  }
}

// ---------- the checks ----------

type StepCheck = (step: Step, app: Rec) => string[] | null; // null = not applicable

const stepChecks: Partial<Record<CheckId, StepCheck>> = {
  // D004 - ID Fields Should Have Dynamic Dropdowns: "instead of instructing users to
  // paste an item `id` into Zapier, providing them with a dynamic dropdown greatly
  // increases the likelihood of the user setting up Zaps correctly."
  D004: (step) => {
    const idFields = staticInputFields(step).filter((f) => /(^|_)ids?$/i.test(str(f.key) ?? ''));
    if (idFields.length === 0) return null;
    return idFields
      .filter((f) => !str(f.dynamic) && !f.choices && !D004_EXEMPT[`${step.id}.${str(f.key)}`])
      .map((f) => `input field "${str(f.key)}" is an ID without a dynamic dropdown`);
  },

  // D005 - Dynamic Dropdown Connects to a Non-Existing Trigger: "The dropdown won't
  // work if the trigger key you specify doesn't exist."
  D005: (step, app) => {
    const dynamic = staticInputFields(step).filter((f) => str(f.dynamic));
    if (dynamic.length === 0) return null;
    const triggers = isRecord(app.triggers) ? app.triggers : {};
    return dynamic
      .map((f) => ({ key: str(f.key), trigger: (str(f.dynamic) ?? '').split('.')[0] ?? '' }))
      .filter(({ trigger }) => !isRecord(triggers[trigger]))
      .map(
        ({ key, trigger }) =>
          `input field "${key}" uses a dropdown from trigger "${trigger}", which does not exist`,
      );
  },

  // D010 - Missing "ID" Field in Static Sample Data: "For polling triggers, the deduper
  // uses the `id` field to decide if it's seen an object before … Hooks are not
  // deduped, so they're not required to have an `id`."
  D010: (step) => {
    if (!isPolling(step)) return null;
    const sample = step.operation.sample;
    return isRecord(sample) && sample.id !== undefined && sample.id !== null && sample.id !== ''
      ? []
      : ['the static sample has no "id"'];
  },

  // D011 - Redundant Help Text: "If the label and help text are the same, they are
  // considered redundant."
  D011: (step) => {
    const withHelp = staticInputFields(step).filter((f) => str(f.helpText));
    if (withHelp.length === 0) return null;
    return withHelp
      .filter((f) => normalise(str(f.helpText) ?? '') === normalise(str(f.label) ?? str(f.key) ?? ''))
      .map((f) => `input field "${str(f.key)}" has help text that only repeats its label`);
  },

  // D012 - Static Sample Is Required: "If testing the trigger returns no live results,
  // we use static sample data as a fallback."
  D012: (step) => {
    const sample = step.operation.sample;
    return isRecord(sample) && Object.keys(sample).length > 0 ? [] : ['there is no static sample'];
  },

  // D018 - Titlecased Label: "trigger/action/search labels … are required to be
  // presented in title case."
  D018: (step) => {
    const label = str(step.display.label);
    if (!label) return step.display.hidden === true ? null : ['there is no label'];
    const expected = titleCase(label);
    return label === expected ? [] : [`label "${label}" should be "${expected}"`];
  },

  // D021 - Trigger Description Requirements: "Trigger descriptions must start with
  // `Triggers when ` and end with a `.`."
  D021: (step) => {
    if (step.kind !== 'triggers') return null;
    const description = str(step.display.description) ?? '';
    return description.startsWith('Triggers when ') && description.endsWith('.')
      ? []
      : [`description "${description}" must start with "Triggers when " and end with "."`];
  },

  // D022 - Creates Should Try to Have Static Input Fields: "When making Zap Templates,
  // it's helpful to have input fields that are common for all users."
  D022: (step) => {
    if (step.kind !== 'creates') return null;
    return staticInputFields(step).length > 0 ? [] : ['the create has no static input fields'];
  },

  // D023 - ISO-8601 Date/Time Format in Static Sample: "you should always use ISO-8601
  // format to represent dates or times. Timezone info should also be present if it
  // contains time."
  D023: (step) => {
    const sample = step.operation.sample;
    if (!isRecord(sample)) return null;
    const typed = new Set(
      outputFields(step)
        .filter((f) => f.type === 'datetime')
        .map((f) => fieldPath(str(f.key) ?? '').segments.join('.')),
    );
    const problems: string[] = [];
    walkStrings(sample, '', (key, at, text) => {
      const candidate = typed.has(at.replace(/\[\d+\]/g, '')) || looksLikeDate(key, text);
      if (candidate && !isIsoDateOrDateTime(text))
        problems.push(`sample "${at}" = "${text}" is not ISO 8601`);
    });
    return problems;
  },

  // D024 - Static Sample Respects Output Field Definition: "'required' fields must be
  // in the sample; field values in the sample match their field type".
  D024: (step) => {
    const sample = step.operation.sample;
    const fields = outputFields(step);
    if (!isRecord(sample) || fields.length === 0) return null;
    const problems: string[] = [];
    for (const field of fields) {
      const key = str(field.key) ?? '';
      const type = str(field.type) ?? 'string';
      const { segments, list } = fieldPath(key);
      const value = valueAt(sample, segments);
      if (value === undefined || value === null) {
        if (field.required === true)
          problems.push(`required output field "${key}" is missing from the sample`);
        continue;
      }
      const values = list ? (Array.isArray(value) ? value : [Symbol('not a list')]) : [value];
      if (!values.every((v) => matchesType(type, v))) {
        problems.push(`sample "${key}" does not match output field type "${type}"`);
      }
    }
    return problems;
  },

  // X001 (house) - action and search descriptions read like Zapier's: "Creates …",
  // "Updates …", "Finds …", one sentence ending in ".".
  X001: (step) => {
    if (step.kind === 'triggers') return null;
    const description = str(step.display.description) ?? '';
    const verb = step.kind === 'searches' ? /^Finds / : /^[A-Z][a-z]+s /;
    return verb.test(description) && description.endsWith('.')
      ? []
      : [
          `description "${description}" should start with ${step.kind === 'searches' ? '"Finds "' : 'a verb like "Creates "'} and end with "."`,
        ];
  },

  // X002 (house) - the sample and the output fields describe the same keys, so the
  // editor never offers a field perform does not return (a style-guide counter-example).
  X002: (step) => {
    const sample = step.operation.sample;
    const fields = outputFields(step);
    if (!isRecord(sample) || fields.length === 0) return null;
    const described = new Set(fields.map((f) => fieldPath(str(f.key) ?? '').segments[0] ?? ''));
    const problems = Object.keys(sample)
      .filter((key) => !described.has(key))
      .map((key) => `sample key "${key}" has no output field`);
    for (const key of described) {
      if (!(key in sample)) problems.push(`output field "${key}" is not in the sample`);
    }
    return problems;
  },
};

// D003 - Connection Label Should Be Set: "Connection Labels help customers understand
// and remember which account they connected for a given Connected Account."
function checkConnectionLabel(app: Rec): string[] {
  const auth = isRecord(app.authentication) ? app.authentication : {};
  const label = auth.connectionLabel;
  const set =
    (typeof label === 'string' && label.trim() !== '') || typeof label === 'function' || isRecord(label);
  return set ? [] : ['authentication has no connectionLabel'];
}

/** Runs every check on an app definition (the object index.js exports). */
export function lintApp(app: unknown): Report {
  const definition = isRecord(app) ? app : {};
  const findings: Finding[] = [];
  const rows: Report['rows'] = [];

  const appResults = Object.fromEntries(CHECKS.map((c) => [c, 'n/a'])) as Record<CheckId, Outcome>;
  const labelProblems = checkConnectionLabel(definition);
  appResults.D003 = labelProblems.length ? 'fail' : 'pass';
  for (const message of labelProblems) findings.push({ step: 'app', check: 'D003', message });
  rows.push({ step: 'app', results: appResults });

  for (const step of stepsOf(definition)) {
    const results = Object.fromEntries(CHECKS.map((c) => [c, 'n/a'])) as Record<CheckId, Outcome>;
    for (const check of CHECKS) {
      const run = stepChecks[check];
      const problems = run ? run(step, definition) : null;
      if (problems === null) continue;
      results[check] = problems.length ? 'fail' : 'pass';
      for (const message of problems) findings.push({ step: step.id, check, message });
    }
    rows.push({ step: step.id, results });
  }
  return { checks: CHECKS, rows, findings, ok: findings.length === 0 };
}

const SYMBOL: Record<Outcome, string> = { pass: 'ok', fail: 'FAIL', 'n/a': '·' };

export function formatReport(report: Report): string {
  const width = Math.max(4, ...report.rows.map((r) => r.step.length));
  const header = ['step'.padEnd(width), ...report.checks.map((c) => c.padEnd(4))].join(' | ');
  const lines = [header, header.replace(/[^|]/g, '-')];
  for (const row of report.rows) {
    lines.push(
      [row.step.padEnd(width), ...report.checks.map((c) => SYMBOL[row.results[c]].padEnd(4))].join(' | '),
    );
  }
  lines.push('');
  if (report.ok) {
    lines.push(`All checks passed for ${report.rows.length - 1} steps.`);
  } else {
    lines.push(`${report.findings.length} problem(s):`);
    for (const f of report.findings) lines.push(`  ${f.check} ${f.step}: ${f.message}`);
  }
  return lines.join('\n');
}

function main(): void {
  let app: unknown;
  try {
    // The built definition, exactly what `zapier-platform push` uploads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    app = require(path.join(__dirname, '..', '..', 'index.js'));
  } catch (error) {
    console.error(`Could not load the built app (run \`npm run build\` first): ${String(error)}`);
    process.exit(2);
  }
  const report = lintApp(app);
  console.log(formatReport(report));
  process.exit(report.ok ? 0 : 1);
}

if (require.main === module) main();
