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
