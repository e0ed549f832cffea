// Every step's input is checked against its own fields before the step runs (layer/input.ts,
// applied in index.ts): wrong types, missing or blank required values and broken unicode
// stop the step with a message naming the field, and nothing is sent; values that convert
// without guessing are converted. The table is read from the app itself, so a new step or
// field is covered without touching this file.
import { api, App, liveAuth, useTestEnvironment } from '../helpers';
import { CLIENT_SAMPLE, COMPLETED_TASK_SAMPLE, PROJECT_SAMPLE, TASK_SAMPLE } from '../../practice/samples';
import {
  checkedField,
  CHECKED_METHODS,
  checkInput,
  withCheckedInput,
  type CheckedField,
} from 'zapier-oauth-layer/internal';
import { failsOffline, run, SUBSCRIPTION, type StepPath } from './support';

useTestEnvironment();

type Rec = Record<string, unknown>;

interface StepMethod {
  path: StepPath;
  fields: CheckedField[];
}

/** Every (step, method) of index.ts that runs with the user's input, with the step's static fields. */
function stepMethods(): StepMethod[] {
  const out: StepMethod[] = [];
  for (const kind of ['triggers', 'creates', 'searches'] as const) {
    for (const [key, step] of Object.entries((App as unknown as Rec)[kind] as Rec)) {
      const operation = (step as Rec).operation as Rec;
      const fields = ((operation.inputFields ?? []) as unknown[])
        .map(checkedField)
        .filter((f): f is CheckedField => f !== undefined);
      for (const method of CHECKED_METHODS) {
        if (typeof operation[method] === 'function') {
          out.push({ path: `${kind}.${key}.${method}` as StepPath, fields });
        }
      }
    }
  }
  return out;
}

const ALL = stepMethods();
const WITH_FIELDS = ALL.filter((s) => s.fields.length > 0);

/** A value every field of its kind accepts, so only the field under test is wrong. */
function validValue(field: CheckedField): unknown {
  const one = field.kind === 'datetime' ? '2026-03-31' : field.kind === 'text' ? 'x_1' : 1;
  return field.list ? [one] : one;
}

function validInput(fields: CheckedField[]): Rec {
  return Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.key, validValue(f)]));
}

function bundleFor(fields: CheckedField[], input: Rec) {
  return {
    authData: liveAuth(),
    inputData: { ...validInput(fields), ...input },
    targetUrl: 'https://hooks.zapier.com/h/1',
    subscribeData: { ...SUBSCRIPTION },
  };
}

const LONE_HIGH = 'Acme \uD800 Ltd';
const LONE_LOW = '\uDC00';
const LONG = 'y'.repeat(200);

/** [what, value, what the message must say after the field's name] */
type Case = [string, unknown, RegExp];

function casesFor(field: CheckedField): Case[] {
  const expected =
    field.kind === 'datetime'
      ? 'must be a date such as 2026-03-31 or a time in epoch seconds'
      : 'must be text or a number';
  const must = field.list ? `${expected}, or a list of them` : expected;
  const cases: Case[] = [
    ['an object', { id: 'x_1', name: LONG }, new RegExp(`^ ${esc(must)}; got an object\\.$`)],
    ['true', true, new RegExp(`^ ${esc(must)}; got true\\.$`)],
    ['false', false, new RegExp(`^ ${esc(must)}; got false\\.$`)],
    ['NaN', NaN, new RegExp(`^ ${esc(must)}; got NaN\\.$`)],
    ['Infinity', Infinity, new RegExp(`^ ${esc(must)}; got the number Infinity\\.$`)],
    ['a lone high surrogate', LONE_HIGH, /^ must be well-formed text; got text with a broken character/],
    ['a lone low surrogate', LONE_LOW, /^ must be well-formed text; got text with a broken character/],
  ];
  if (field.list) {
    const items = `must be a list of ${field.kind === 'datetime' ? 'dates or times in epoch seconds' : 'text or numbers'}`;
    cases.push(
      ['a list holding an object', ['ok', { a: 1 }], new RegExp(`^ ${esc(items)}; item 2 is an object\\.$`)],
      ['a list holding a list', [['a']], new RegExp(`^ ${esc(items)}; item 1 is a list\\.$`)],
      [
        'a list holding a broken string',
        ['ok', LONE_LOW],
        /^ must be well-formed text; item 2 is text with a broken/,
      ],
      ['a list holding true', [true], new RegExp(`^ ${esc(items)}; item 1 is true\\.$`)],
    );
  } else {
    cases.push(['a list', ['x_1'], new RegExp(`^ ${esc(must)}; got a list\\.$`)]);
  }
  if (field.kind === 'datetime') {
    cases.push(
      ['negative epoch seconds', -1, new RegExp(`^ ${esc(must)}; got the number -1\\.$`)],
      ['epoch milliseconds', 1774915200000, new RegExp(`^ ${esc(must)}; got the number 1774915200000\\.$`)],
    );
  }
  if (field.required) {
    cases.push(
      ['nothing', undefined, /^ is required; got nothing\.$/],
      ['null', null, /^ is required; got nothing\.$/],
      ['an empty text', '', /^ is required; got blank text\.$/],
      ['blank text', ' \t\n ', /^ is required; got blank text\.$/],
    );
    if (field.list) cases.push(['an empty list', [], /^ is required; got an empty list\.$/]);
  }
  return cases;
}

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const table = WITH_FIELDS.flatMap(({ path, fields }) =>
  fields.flatMap((field) =>
    casesFor(field).map(([what, value, says]) => ({ path, fields, field, what, value, says })),
  ),
);

describe('the table covers every step of index.ts', () => {
  it('lists every step method that runs with input, and every step with fields', () => {
    expect(WITH_FIELDS.map((s) => s.path).sort()).toEqual(
      [
        'creates.complete_task.perform',
        'creates.create_client.perform',
        'creates.create_project.perform',
        'creates.create_task.perform',
        'creates.update_client.perform',
        'searches.find_client.perform',
        'searches.find_project.perform',
        'triggers.new_project.perform',
        'triggers.new_task.perform',
        'triggers.new_task.performList',
        'triggers.new_task.performSubscribe',
      ].sort(),
    );
    // Steps without fields have nothing to check; they are still wrapped (below).
    expect(ALL.length).toBeGreaterThan(WITH_FIELDS.length);
  });

  it('checks every static field of those steps', () => {
    const fieldCount = (s: StepMethod) => s.fields.length;
    const declared = WITH_FIELDS.map((s) => {
      const [kind, key] = s.path.split('.') as [string, string];
      const step = ((App as unknown as Rec)[kind] as Rec)[key] as Rec;
      return ((step.operation as Rec).inputFields as unknown[]).length;
    });
    expect(WITH_FIELDS.map(fieldCount)).toEqual(declared);
  });
});

describe('wrong input stops every step before any request, naming the field', () => {
  it.each(table)('$path: $field.key as $what', async ({ path, fields, field, value, says }) => {
    const error = await failsOffline(() => run(path, bundleFor(fields, { [field.key]: value })));
    const name = `"${field.label}" (${field.key})`;
    expect(error.message.startsWith(name)).toBe(true);
    expect(error.message.slice(name.length)).toMatch(says);
    expect(error.code).toBe('invalid_input');
    expect(error.status).toBe(400);
    expect(error.message).not.toContain('y'.repeat(41));
  });
});

describe('values that convert without guessing are converted', () => {
  it('sends the number 42 as the task id "42"', async () => {
    const scope = api()
      .post('/api/v1/tasks/42/complete')
      .reply(200, { ok: true, data: COMPLETED_TASK_SAMPLE });
    await run('creates.complete_task.perform', { authData: liveAuth(), inputData: { task_id: 42 } });
    expect(scope.isDone()).toBe(true);
  });

  it('sends the number 42 as the client id "42" and leaves a blank optional name out', async () => {
    const scope = api().patch('/api/v1/clients/42', { phone: '0' }).reply(200, CLIENT_SAMPLE);
    await run('creates.update_client.perform', {
      authData: liveAuth(),
      inputData: { client_id: 42, name: '  ', email: null, phone: 0 },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('posts ids mapped as numbers as text', async () => {
    const scope = api().post('/api/v1/projects', { client_id: '7', name: '2026' }).reply(201, PROJECT_SAMPLE);
    await run('creates.create_project.perform', {
      authData: liveAuth(),
      inputData: { client_id: 7, name: 2026 },
    });
    expect(scope.isDone()).toBe(true);
  });

  it.each([
    ['creates.create_project.perform', { client_id: 'cli_1', name: 'P' }, '/api/v1/projects', PROJECT_SAMPLE],
    [
      'creates.create_task.perform',
      { project_id: 'prj_1', title: 'T' },
      '/api/v1/tasks',
      { ok: true, data: TASK_SAMPLE },
    ],
  ] as const)('%s reads epoch seconds as a UTC date', async (path, input, url, reply) => {
    const scope = api()
      .post(url, (body: Rec) => body.due_date === '2026-03-31')
      .reply(201, reply);
    await run(path, { authData: liveAuth(), inputData: { ...input, due_date: 1774915200 } });
    expect(scope.isDone()).toBe(true);
  });

  it('keeps an ISO date-time as it came (the step reads its calendar date)', async () => {
    const scope = api()
      .post('/api/v1/projects', (body: Rec) => body.due_date === '2026-03-31')
      .reply(201, PROJECT_SAMPLE);
    await run('creates.create_project.perform', {
      authData: liveAuth(),
      inputData: { client_id: 'cli_1', name: 'P', due_date: '2026-03-31T23:30:00-05:00' },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('makes a single tag a list of one, and a number a tag', async () => {
    const scope = api()
      .post('/api/v1/clients', { name: 'Acme', tags: ['7'] })
      .reply(201, CLIENT_SAMPLE);
    await run('creates.create_client.perform', {
      authData: liveAuth(),
      inputData: { name: 'Acme', tags: 7 },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('drops empty items of a mapped list', async () => {
    const scope = api()
      .post('/api/v1/clients', { name: 'Acme', tags: ['vip', 'new'] })
      .reply(201, CLIENT_SAMPLE);
    await run('creates.create_client.perform', {
      authData: liveAuth(),
      inputData: { name: 'Acme', tags: ['vip', null, ' ', 'new'] },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('never sends a blank Name: create_client refuses it, naming the field', async () => {
    const error = await failsOffline(() =>
      run('creates.create_client.perform', { authData: liveAuth(), inputData: { name: '   ' } }),
    );
    expect(error.message).toBe('"Name" (name) is required; got blank text.');
  });
});

describe('withCheckedInput', () => {
  const field = (key: string, extra: Rec = {}) => ({
    key,
    label: key.toUpperCase(),
    type: 'string',
    ...extra,
  });
  const seen: Rec[] = [];
  const perform = (_z: unknown, bundle: { inputData: Rec }) => {
    seen.push(bundle.inputData);
    return [];
  };
  const z = { errors: { Error: class extends Error {} } };

  beforeEach(() => {
    seen.length = 0;
  });

  it('wraps every checked method of every kind of step, and leaves performUnsubscribe alone', async () => {
    const operation = {
      inputFields: [field('a', { required: true })],
      perform,
      performList: perform,
      performSubscribe: perform,
      performUnsubscribe: perform,
    };
    const app = withCheckedInput({
      triggers: { t: { operation } },
      creates: { c: { operation } },
      searches: { s: { operation } },
    });
    for (const kind of ['triggers', 'creates', 'searches'] as const) {
      const step = Object.values(app[kind])[0]!;
      for (const method of ['perform', 'performList', 'performSubscribe'] as const) {
        await expect(step.operation[method](z as never, { inputData: {} } as never)).rejects.toThrow(
          '"A" (a) is required; got nothing.',
        );
      }
      expect(step.operation.performUnsubscribe).toBe(perform);
    }
  });

  it('skips dynamic fields and leaves their values alone', async () => {
    const dynamic = () => [field('b', { required: true })];
    const app = withCheckedInput({
      creates: { c: { operation: { inputFields: [field('a'), dynamic], perform } } },
    });
    await app.creates.c.operation.perform(z as never, { inputData: { a: 5, b: { any: 'thing' } } } as never);
    expect(seen).toEqual([{ a: '5', b: { any: 'thing' } }]);
  });

  it('leaves file, copy, dict and line-item fields unchecked', () => {
    for (const f of [
      field('f', { type: 'file' }),
      field('c', { type: 'copy' }),
      field('d', { dict: true }),
      field('l', { children: [field('x')] }),
    ]) {
      expect(checkedField(f)).toBeUndefined();
    }
  });

  it('converts and refuses the other field types without guessing', () => {
    const fields = [
      checkedField({ key: 'i', type: 'integer' })!,
      checkedField({ key: 'n', type: 'number' })!,
      checkedField({ key: 'b', type: 'boolean' })!,
    ];
    expect(checkInput(fields, { i: ' 12 ', n: '1.5e3', b: 'TRUE' })).toEqual({
      ok: true,
      inputData: { i: 12, n: 1500, b: true },
    });
    expect(checkInput(fields, { i: '', n: ' ', b: '' })).toEqual({ ok: true, inputData: {} });
    for (const [input, problem] of [
      [{ i: 1.5 }, '"i" (i) must be a whole number; got the number 1.5.'],
      [{ i: '12abc' }, '"i" (i) must be a whole number; got "12abc".'],
      [{ i: 'z'.repeat(100) }, `"i" (i) must be a whole number; got "${'z'.repeat(29)}…".`],
      [{ n: '1,5' }, '"n" (n) must be a number; got "1,5".'],
      [{ n: NaN }, '"n" (n) must be a number; got NaN.'],
      [{ b: 'yes' }, '"b" (b) must be true or false; got "yes".'],
      [{ b: 1 }, '"b" (b) must be true or false; got the number 1.'],
    ] as const) {
      expect(checkInput(fields, input)).toEqual({ ok: false, problem });
    }
  });
});

describe('the issue, as it was reported', () => {
  it.each([
    [
      'complete_task with an object id',
      'creates.complete_task.perform',
      { task_id: { id: 1 } },
      '"Task" (task_id)',
    ],
    ['complete_task without an id', 'creates.complete_task.perform', {}, '"Task" (task_id) is required'],
    [
      'update_client with a lone surrogate',
      'creates.update_client.perform',
      { client_id: '\uD800', name: 'X' },
      '"Client" (client_id)',
    ],
    [
      'create_client with tags as an object',
      'creates.create_client.perform',
      { name: 'A', tags: { a: 'b' } },
      '"Tags" (tags)',
    ],
  ] as const)(
    "%s gets a message naming the field, not JavaScript's words",
    async (_what, path, inputData, starts) => {
      const error = await failsOffline(() => run(path, { authData: liveAuth(), inputData }));
      expect(error.message.startsWith(starts)).toBe(true);
      expect(error.message).not.toMatch(/is not a function|Cannot read properties|URI malformed/);
    },
  );
});
