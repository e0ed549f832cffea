// The offline publishing checks pass on the real app and catch each kind of
// breakage on a mutated copy of it.
import { App } from '../helpers';
import { CHECKS, formatReport, lintApp, titleCase, type CheckId } from '../../tools/scripts/lint-zapier';

type Rec = Record<string, unknown>;

/** A copy of the built app with one step replaced by `change(step)`. */
function withStep(kind: 'triggers' | 'creates' | 'searches', key: string, change: (step: Rec) => Rec): Rec {
  const group = (App as unknown as Rec)[kind] as Rec;
  return { ...(App as unknown as Rec), [kind]: { ...group, [key]: change(group[key] as Rec) } };
}

function op(step: Rec): Rec {
  return step.operation as Rec;
}

function failures(app: unknown): Array<[string, CheckId]> {
  return lintApp(app).findings.map((f) => [f.step, f.check]);
}

describe('lint-zapier', () => {
  it('passes the app as built, with a row per step and a column per check', () => {
    const report = lintApp(App);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.rows.map((r) => r.step)).toEqual(
      expect.arrayContaining([
        'app',
        'triggers.new_client',
        'creates.complete_task',
        'searches.find_project',
      ]),
    );
    expect(formatReport(report)).toContain(CHECKS.join(' | '));
  });

  const mutations: Array<[string, CheckId, string, () => Rec]> = [
    [
      'a missing connection label',
      'D003',
      'app',
      () => ({
        ...(App as unknown as Rec),
        authentication: { ...(App.authentication as unknown as Rec), connectionLabel: undefined },
      }),
    ],
    [
      'an ID field without a dropdown',
      'D004',
      'creates.create_task',
      () =>
        withStep('creates', 'create_task', (s) => ({
          ...s,
          operation: {
            ...op(s),
            inputFields: (op(s).inputFields as Rec[]).map((f) =>
              f.key === 'project_id' ? { ...f, dynamic: undefined } : f,
            ),
          },
        })),
    ],
    [
      'a dropdown from a trigger that does not exist',
      'D005',
      'creates.create_task',
      () =>
        withStep('creates', 'create_task', (s) => ({
          ...s,
          operation: {
            ...op(s),
            inputFields: (op(s).inputFields as Rec[]).map((f) =>
              f.key === 'assignee_id' ? { ...f, dynamic: 'staff.id.name' } : f,
            ),
          },
        })),
    ],
    [
      'a polling sample without id',
      'D010',
      'triggers.new_project',
      () =>
        withStep('triggers', 'new_project', (s) => {
          const sample: Rec = { ...(op(s).sample as Rec) };
          delete sample.id;
          return { ...s, operation: { ...op(s), sample } };
        }),
    ],
    [
      'help text that repeats the label',
      'D011',
      'searches.find_project',
      () =>
        withStep('searches', 'find_project', (s) => ({
          ...s,
          operation: {
            ...op(s),
            inputFields: (op(s).inputFields as Rec[]).map((f) =>
              f.key === 'name' ? { ...f, helpText: 'name.' } : f,
            ),
          },
        })),
    ],
    [
      'a missing sample',
      'D012',
      'creates.update_client',
      () =>
        withStep('creates', 'update_client', (s) => ({ ...s, operation: { ...op(s), sample: undefined } })),
    ],
    [
      'a label not in title case',
      'D018',
      'triggers.new_client',
      () =>
        withStep('triggers', 'new_client', (s) => ({
          ...s,
          display: { ...(s.display as Rec), label: 'new client' },
        })),
    ],
    [
      'a trigger description in the wrong style',
      'D021',
      'triggers.task_completed',
      () =>
        withStep('triggers', 'task_completed', (s) => ({
          ...s,
          display: { ...(s.display as Rec), description: 'Fires whenever a task is done' },
        })),
    ],
    [
      'a create without static input fields',
      'D022',
      'creates.complete_task',
      () => withStep('creates', 'complete_task', (s) => ({ ...s, operation: { ...op(s), inputFields: [] } })),
    ],
    [
      'a sample date that is not ISO 8601',
      'D023',
      'creates.create_project',
      () =>
        withStep('creates', 'create_project', (s) => ({
          ...s,
          operation: { ...op(s), sample: { ...(op(s).sample as Rec), created_at: '2026-01-07T10:00:00' } },
        })),
    ],
    [
      'a sample value of the wrong type',
      'D024',
      'searches.find_client',
      () =>
        withStep('searches', 'find_client', (s) => ({
          ...s,
          operation: { ...op(s), sample: { ...(op(s).sample as Rec), tags: 'vip' } },
        })),
    ],
    [
      'a create description that does not start with a verb',
      'X001',
      'creates.create_client',
      () =>
        withStep('creates', 'create_client', (s) => ({
          ...s,
          display: { ...(s.display as Rec), description: 'A new client.' },
        })),
    ],
    [
      'a sample key without an output field',
      'X002',
      'triggers.new_task',
      () =>
        withStep('triggers', 'new_task', (s) => ({
          ...s,
          operation: { ...op(s), sample: { ...(op(s).sample as Rec), secret_note: 'x' } },
        })),
    ],
  ];

  it.each(mutations)('catches %s (%s)', (_what, check, step, mutate) => {
    const report = lintApp(mutate());
    expect(report.ok).toBe(false);
    expect(failures(mutate())).toContainEqual([step, check]);
    expect(report.rows.find((r) => r.step === step)?.results[check]).toBe('fail');
  });

  it('title-cases like Zapier, keeping small words and acronyms', () => {
    expect(titleCase('find or create client')).toBe('Find or Create Client');
    expect(titleCase('New Client ID')).toBe('New Client ID');
    expect(titleCase('task completed')).toBe('Task Completed');
  });
});
