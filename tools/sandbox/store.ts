// In-memory state of one sandbox: the firm's data and every OAuth record.
// Nothing here knows HTTP; routers read and write through this class.

export const SCOPES = [
  'clients:read',
  'clients:write',
  'projects:read',
  'projects:write',
  'tasks:read',
  'tasks:write',
  'webhooks',
  'offline_access',
] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export const ROLES = ['owner', 'admin', 'staff'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export const WEBHOOK_EVENTS = ['client.created', 'task.created', 'task.completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

// Wire objects, exactly as the contract's §4 "Objects" (snake_case on purpose).
export interface Firm {
  id: string;
  name: string;
}

export interface Member {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface Client {
  id: string;
  name: string;
  type: 'individual' | 'business';
  email: string | null;
  phone: string | null;
  tags: string[];
  external_id: string | null;
  status: 'active' | 'archived';
  created_at: string;
  updated_at: string;
}

export interface Project {
  id: string;
  client_id: string;
  name: string;
  status: 'open' | 'completed';
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface Task {
  id: string;
  project_id: string;
  title: string;
  description: string | null;
  assignee_id: string | null;
  due_date: string | null;
  status: 'open' | 'completed';
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Webhook {
  id: string;
  target_url: string;
  event: WebhookEvent;
  secret: string;
  created_at: string;
}

// Members also carry what only the login page may see.
export interface MemberRecord extends Member {
  password: string;
}

// OAuth records. Times are sandbox-clock milliseconds.
export interface AuthCodeRecord {
  code: string;
  clientId: string;
  memberId: string;
  redirectUri: string;
  scope: Scope[];
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  usedAt?: number;
  // Set once the code was exchanged, so a replayed code can revoke what it produced.
  grantId?: string;
}

export interface GrantRecord {
  id: string;
  clientId: string;
  memberId: string;
  scope: Scope[];
  createdAt: number;
  revokedAt?: number;
  revokedReason?: string;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  scope: Scope[];
  issuedAt: number;
  expiresAt: number;
  revokedAt?: number;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  scope: Scope[];
  issuedAt: number;
  expiresAt: number;
  // Rotation: when this token was exchanged and what it was exchanged for, so a retry
  // inside the grace period can be answered with the very same pair.
  rotatedAt?: number;
  successor?: { accessToken: string; refreshToken?: string };
  revokedAt?: number;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export class Store {
  firm: Firm = { id: 'firm_0001', name: 'Ledger & Co' };
  readonly members = new Map<string, MemberRecord>();
  readonly clients = new Map<string, Client>();
  readonly projects = new Map<string, Project>();
  readonly tasks = new Map<string, Task>();
  readonly webhooks = new Map<string, Webhook>();

  readonly codes = new Map<string, AuthCodeRecord>();
  readonly grants = new Map<string, GrantRecord>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Every grant revocation, in order (token stats count them). */
  readonly revocations: Array<{ grantId: string; reason: string; at: number }> = [];

  private readonly sequences = new Map<string, number>();

  constructor(readonly now: () => number) {}

  // Zero-padded sequence ids: unique, and they sort in creation order, which breaks
  // ties between objects created in the same millisecond.
  nextId(prefix: string): string {
    const next = (this.sequences.get(prefix) ?? 0) + 1;
    this.sequences.set(prefix, next);
    return `${prefix}_${String(next).padStart(6, '0')}`;
  }

  findMemberByEmail(email: string): MemberRecord | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.members.values()].find((m) => m.email.toLowerCase() === wanted);
  }

  findClientByExternalId(externalId: string): Client | undefined {
    return [...this.clients.values()].find((c) => c.external_id === externalId);
  }

  // The one place a grant dies: its access and refresh tokens die with it.
  revokeGrant(grantId: string, reason: string): boolean {
    const grant = this.grants.get(grantId);
    if (!grant || grant.revokedAt !== undefined) return false;
    const at = this.now();
    grant.revokedAt = at;
    grant.revokedReason = reason;
    this.revocations.push({ grantId, reason, at });
    for (const token of this.accessTokens.values()) {
      if (token.grantId === grantId && token.revokedAt === undefined) token.revokedAt = at;
    }
    for (const token of this.refreshTokens.values()) {
      if (token.grantId === grantId && token.revokedAt === undefined) token.revokedAt = at;
    }
    return true;
  }

  revokeGrantsOfMember(memberId: string, reason: string): number {
    let count = 0;
    for (const grant of this.grants.values()) {
      if (grant.memberId === memberId && this.revokeGrant(grant.id, reason)) count += 1;
    }
    return count;
  }

  isGrantLive(grantId: string): boolean {
    const grant = this.grants.get(grantId);
    if (!grant || grant.revokedAt !== undefined) return false;
    return this.members.has(grant.memberId);
  }
}

export function publicMember(member: MemberRecord): Member {
  return { id: member.id, name: member.name, email: member.email, role: member.role };
}
