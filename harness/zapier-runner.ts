// Runs the built app through zapier-platform-core's own Lambda handler, doing
// what only Zapier's servers do with auth errors (createAppTester and
// `zapier-platform invoke` merely surface them):
//
// - a step that throws RefreshAuthError: call refreshAccessToken with the
//   connection's authData, merge the returned fields into authData, retry the
//   step once (docs.zapier.com/platform/build/oauth, "Refresh Token");
// - refreshAccessToken that throws ExpiredAuthError or answers a 4xx: the
//   connection is marked stale and the user must reconnect (Zapier changelog,
//   2025-09-08); a step that throws ExpiredAuthError does the same.
//
// It is a test and demo harness: never imported by the app, never packed.

import path from 'node:path';
import zapier from 'zapier-platform-core';

export type AuthData = Record<string, string | number>;

export interface Connection {
  authData: AuthData;
  stale: boolean;
  staleReason: string | null;
  /** Successful refreshes done for this connection. */
  refreshes: number;
}

export interface StepOutcome<T = unknown> {
  ok: boolean;
  results?: T;
  error?: ErrorDescription;
  refreshed: boolean;
  /** True when the connection went stale during this step. */
  staled: boolean;
}

type Handler = (event: Record<string, unknown>) => Promise<{ results: unknown }>;

interface ZapierCore {
  createAppHandler(app: unknown): Handler;
}

export interface ErrorDescription {
  name: string;
  message: string;
  status: number | null;
  /** ThrottledError's delay in seconds. */
  delay: number | null;
}

/** {message, status, delay} out of core's AppError / ThrottledError JSON messages, or the plain message. */
export function describeError(error: unknown): ErrorDescription {
  const name = error instanceof Error ? error.name : 'Error';
  const raw = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(raw) as { message?: unknown; status?: unknown; delay?: unknown };
    return {
      name,
      message: typeof parsed.message === 'string' ? parsed.message : raw,
      status: typeof parsed.status === 'number' ? parsed.status : null,
      delay: typeof parsed.delay === 'number' ? parsed.delay : null,
    };
  } catch {
    return { name, message: raw, status: null, delay: null };
  }
}

/** Renders a connectionLabel template over the test result as Zapier does (nested keys as a__b). */
export function renderLabel(
  app: { authentication?: { connectionLabel?: unknown } },
  me: Record<string, unknown>,
): string {
  const template = app.authentication?.connectionLabel;
  if (typeof template !== 'string') throw new Error('connectionLabel must be a template string');
  return template.replace(/{{\s*([\w.]+)\s*}}/g, (_m, key: string) => {
    let value: unknown = me;
    for (const part of key.replace(/__/g, '.').split('.')) {
      value =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
    }
    return value === undefined || value === null ? '' : String(value);
  });
}

export function newConnection(authData: AuthData): Connection {
  return { authData: { ...authData }, stale: false, staleReason: null, refreshes: 0 };
}

export class ZapierRunner {
  private readonly handler: Handler;
  private readonly app: { authentication?: { connectionLabel?: unknown } };
  private readonly zcache: Record<string, unknown> = {};

  constructor(appPath = path.resolve(__dirname, '..', 'index.js')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const app = require(appPath) as { authentication?: { connectionLabel?: unknown } };
    this.app = app;
    this.handler = (zapier as unknown as ZapierCore).createAppHandler(app);
  }

  /** One plain invocation, as `zapier-platform invoke` does it. */
  async invoke<T = unknown>(method: string, bundle: Record<string, unknown>): Promise<T> {
    // calledFromCli(Invoke) as `zapier-platform invoke` sets them: keeps core's HTTP logging
    // patch but not the Lambda memory watchdog, which prints to stdout on every run.
    const response = await this.handler({
      command: 'execute',
      method,
      bundle,
      zcacheTestObj: this.zcache,
      calledFromCli: true,
      calledFromCliInvoke: true,
    });
    return response.results as T;
  }

  /** Exchanges an authorization code, then runs `test` like Zapier does when a user connects. */
  async connect(inputData: Record<string, unknown>): Promise<{ connection: Connection; label: string }> {
    const tokens = await this.invoke<AuthData>('authentication.oauth2Config.getAccessToken', {
      inputData,
      authData: {},
    });
    const me = await this.invoke<Record<string, unknown>>('authentication.test', {
      authData: tokens,
      inputData: {},
    });
    const label = renderLabel(this.app, me);
    return { connection: newConnection(tokens), label };
  }

  /** Runs a step on a connection, refreshing and retrying once as Zapier does. */
  async runStep<T = unknown>(
    connection: Connection,
    method: string,
    bundle: Record<string, unknown> = {},
  ): Promise<StepOutcome<T>> {
    if (connection.stale) {
      return {
        ok: false,
        error: {
          name: 'StaleConnection',
          message: connection.staleReason ?? 'stale',
          status: null,
          delay: null,
        },
        refreshed: false,
        staled: false,
      };
    }
    let refreshed = false;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const results = await this.invoke<T>(method, {
          inputData: {},
          ...bundle,
          authData: { ...connection.authData },
        });
        return { ok: true, results, refreshed, staled: false };
      } catch (error) {
        const described = describeError(error);
        if (described.name === 'ExpiredAuthError') {
          this.markStale(connection, described.message);
          return { ok: false, error: described, refreshed, staled: true };
        }
        if (described.name !== 'RefreshAuthError' || attempt === 1) {
          return { ok: false, error: described, refreshed, staled: false };
        }
        const refresh = await this.refresh(connection);
        if (!refresh.ok) return { ok: false, error: refresh.error, refreshed, staled: connection.stale };
        refreshed = true;
      }
    }
    throw new Error('unreachable');
  }

  /** refreshAccessToken on the connection's authData; merges the result like Zapier. */
  async refresh(connection: Connection): Promise<{ ok: boolean; error?: StepOutcome['error'] }> {
    try {
      const fresh = await this.invoke<AuthData>('authentication.oauth2Config.refreshAccessToken', {
        authData: { ...connection.authData },
        inputData: {},
      });
      connection.authData = { ...connection.authData, ...fresh };
      connection.refreshes += 1;
      return { ok: true };
    } catch (error) {
      const described = describeError(error);
      const is4xx = described.status !== null && described.status >= 400 && described.status < 500;
      if (described.name === 'ExpiredAuthError' || is4xx) this.markStale(connection, described.message);
      return { ok: false, error: described };
    }
  }

  private markStale(connection: Connection, reason: string): void {
    connection.stale = true;
    connection.staleReason = reason;
  }
}
