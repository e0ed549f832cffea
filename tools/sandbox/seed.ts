// Demo data for a fresh sandbox. Deterministic (no randomness) and dated relative to the
// sandbox clock so `updated_since` and "newest first" behave like a live account.
import { isoTime, type Client, type Project, type Role, type Store, type Task } from './store';

export const DEMO_PASSWORD = 'practice-demo';

export const DEMO_MEMBERS: ReadonlyArray<{ name: string; email: string; role: Role }> = [
  { name: 'Olivia Owner', email: 'owner@ledger.example', role: 'owner' },
  { name: 'Adam Admin', email: 'admin@ledger.example', role: 'admin' },
  { name: 'Sam Staff', email: 'staff@ledger.example', role: 'staff' },
  { name: 'Sky Staff', email: 'staff2@ledger.example', role: 'staff' },
];

const CLIENT_NAMES = [
  'Acme Bakery',
  'Birch & Sons',
  'Carla Mendes',
  'Delta Freight',
  'Evergreen Dental',
  'Fatima Khan',
  'Golden Gate Florists',
  'Harbor Yoga',
  'Ivan Petrov',
  'Juniper Legal',
  'Kestrel Media',
  'Lotus Tea House',
  'Maria Rossi',
  'Northwind Traders',
  'Orchid Spa',
  'Pine Ridge Farm',
  'Quentin Blake',
  'Riverside Garage',
  'Sunrise Cafe',
  'Tomasz Nowak',
  'Umbrella Consulting',
  'Vega Architects',
  'Willow Pharmacy',
  'Xavier Dupont',
  'Yellowfin Sushi',
  'Zenith Fitness',
  'Aurora Books',
  'Blue Harbor Marine',
  'Cedar Hill Vets',
  'Dana Whitfield',
];

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

export function seed(store: Store): void {
  const now = store.now();
  // Everything is dated inside the last 60 days, oldest first, minutes apart at least.
  const start = now - 60 * DAY;

  for (const member of DEMO_MEMBERS) {
    const id = store.nextId('mem');
    store.members.set(id, { id, ...member, password: DEMO_PASSWORD });
  }

  const clients: Client[] = CLIENT_NAMES.map((name, i) => {
    const createdAt = start + i * DAY + (i % 5) * HOUR;
    // Every third client was edited later, so `-updated_at` differs from `-created_at`.
    const updatedAt = i % 3 === 0 ? createdAt + (20 - (i % 7)) * DAY : createdAt;
    const isPerson = /^[A-Z][a-z]+ [A-Z][a-z]+$/.test(name) && !/&|Bakery|Freight/.test(name);
    const slug = name
      .toLowerCase()
      .replace(/[^a-z]+/g, '.')
      .replace(/^\.|\.$/g, '');
    const client: Client = {
      id: store.nextId('cli'),
      name,
      type: isPerson ? 'individual' : 'business',
      email: `${slug}@clients.example`,
      phone: i % 4 === 0 ? null : `+1-555-01${String(i).padStart(2, '0')}`,
      tags: i % 2 === 0 ? ['vat'] : ['payroll', 'year-end'],
      external_id: i % 10 === 0 ? `crm-${1000 + i}` : null,
      status: i === 7 ? 'archived' : 'active',
      created_at: isoTime(createdAt),
      updated_at: isoTime(Math.min(updatedAt, now - HOUR)),
    };
    store.clients.set(client.id, client);
    return client;
  });

  const projects: Project[] = [];
  for (let i = 0; i < 8; i += 1) {
    const client = clients[i * 3];
    if (!client) continue;
    const createdAt = Date.parse(client.created_at) + 2 * HOUR;
    const project: Project = {
      id: store.nextId('prj'),
      client_id: client.id,
      name: i % 2 === 0 ? 'Year-end accounts 2024' : 'Quarterly VAT return',
      status: i < 2 ? 'completed' : 'open',
      due_date: isoTime(createdAt + 45 * DAY).slice(0, 10),
      created_at: isoTime(createdAt),
      updated_at: isoTime(createdAt + HOUR),
    };
    store.projects.set(project.id, project);
    projects.push(project);
  }

  const memberIds = [...store.members.keys()];
  projects.forEach((project, p) => {
    for (let t = 0; t < 3; t += 1) {
      const createdAt = Date.parse(project.created_at) + (t + 1) * HOUR;
      const completed = project.status === 'completed' || (t === 0 && p % 2 === 0);
      const completedAt = completed ? createdAt + (t + 2) * DAY : null;
      const task: Task = {
        id: store.nextId('tsk'),
        project_id: project.id,
        title: ['Collect bank statements', 'Reconcile accounts', 'Send draft to client'][t] ?? 'Task',
        description: t === 1 ? 'Match every transaction to a receipt.' : null,
        assignee_id: memberIds[(p + t) % memberIds.length] ?? null,
        due_date: project.due_date,
        status: completed ? 'completed' : 'open',
        completed_at: completedAt === null ? null : isoTime(completedAt),
        created_at: isoTime(createdAt),
        updated_at: isoTime(completedAt ?? createdAt),
      };
      store.tasks.set(task.id, task);
    }
  });
}
