// Scopes the integration asks for, with the wording Practice's consent page uses,
// so an error can tell the user exactly which box to approve.

export const SCOPE_LABELS = {
  'clients:read': 'View clients',
  'clients:write': 'Create and update clients',
  'projects:read': 'View projects',
  'projects:write': 'Create projects',
  'tasks:read': 'View tasks',
  'tasks:write': 'Create and complete tasks',
  webhooks: 'Receive instant updates (webhooks)',
  offline_access: 'Stay connected (offline access)',
} as const;

export type Scope = keyof typeof SCOPE_LABELS;

/** Every scope the steps need, plus offline_access for refresh tokens. */
export const REQUESTED_SCOPES: readonly Scope[] = Object.keys(SCOPE_LABELS) as Scope[];

export function scopeLabel(scope: string): string | undefined {
  return (SCOPE_LABELS as Record<string, string>)[scope];
}

/** The API calls the steps make, as "METHOD /path" with `{id}` for a path parameter (contract §4). */
export const ENDPOINT_SCOPES = {
  'GET /api/v1/me': [],
  'GET /api/v1/members': [],
  'GET /api/v1/clients': ['clients:read'],
  'POST /api/v1/clients': ['clients:write'],
  'PATCH /api/v1/clients/{id}': ['clients:write'],
  'GET /api/v1/clients/search': ['clients:read'],
  'GET /api/v1/projects': ['projects:read'],
  'POST /api/v1/projects': ['projects:write'],
  'GET /api/v1/tasks': ['tasks:read'],
  'POST /api/v1/tasks': ['tasks:write'],
  'POST /api/v1/tasks/{id}/complete': ['tasks:write'],
  // Subscribing needs `webhooks` plus the read scope of the event's records.
  'POST /api/v1/webhooks client.created': ['webhooks', 'clients:read'],
  'POST /api/v1/webhooks task.created': ['webhooks', 'tasks:read'],
  'POST /api/v1/webhooks task.completed': ['webhooks', 'tasks:read'],
  'DELETE /api/v1/webhooks/{id}': ['webhooks'],
} as const satisfies Record<string, readonly Scope[]>;

export type Endpoint = keyof typeof ENDPOINT_SCOPES;

/**
 * What each step calls: its perform (performList for triggers) and, for instant
 * triggers, subscribe and unsubscribe. Dynamic dropdowns are steps of their own.
 */
export const STEP_ENDPOINTS: Readonly<Record<string, readonly Endpoint[]>> = {
  new_client: ['GET /api/v1/clients', 'POST /api/v1/webhooks client.created', 'DELETE /api/v1/webhooks/{id}'],
  updated_client: ['GET /api/v1/clients'],
  new_project: ['GET /api/v1/projects'],
  new_task: ['GET /api/v1/tasks', 'POST /api/v1/webhooks task.created', 'DELETE /api/v1/webhooks/{id}'],
  task_completed: [
    'GET /api/v1/tasks',
    'POST /api/v1/webhooks task.completed',
    'DELETE /api/v1/webhooks/{id}',
  ],
  clients: ['GET /api/v1/clients'],
  projects: ['GET /api/v1/projects'],
  members: ['GET /api/v1/members'],
  tasks: ['GET /api/v1/tasks'],
  create_client: ['POST /api/v1/clients'],
  update_client: ['PATCH /api/v1/clients/{id}'],
  create_project: ['POST /api/v1/projects'],
  create_task: ['POST /api/v1/tasks'],
  complete_task: ['POST /api/v1/tasks/{id}/complete'],
  find_client: ['GET /api/v1/clients/search'],
  find_project: ['GET /api/v1/projects'],
};

/** Every scope a step needs, in REQUESTED_SCOPES order. */
export function scopesForStep(step: string): Scope[] {
  const endpoints = Object.hasOwn(STEP_ENDPOINTS, step) ? (STEP_ENDPOINTS[step] ?? []) : [];
  const needed = new Set<Scope>(endpoints.flatMap((endpoint) => ENDPOINT_SCOPES[endpoint]));
  return REQUESTED_SCOPES.filter((scope) => needed.has(scope));
}

/** The steps a connection with `granted` scopes cannot run, each with the scopes it lacks. */
export function stepsMissingScopes(granted: readonly string[]): Array<{ step: string; missing: Scope[] }> {
  return Object.keys(STEP_ENDPOINTS)
    .map((step) => ({ step, missing: scopesForStep(step).filter((scope) => !granted.includes(scope)) }))
    .filter((entry) => entry.missing.length > 0);
}
