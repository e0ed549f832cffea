// A minimal Zapier app and a token endpoint on 127.0.0.1 for testing the harness itself:
// each refresh mode makes refreshAccessToken fail (or succeed) one particular way, through
// core's real z.request path or by throwing core's own errors; one create drives z.cache,
// one canPaginate trigger drives z.cursor, two triggers break core's output checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zapier, { type Bundle, type ZObject } from 'zapier-platform-core';

export interface TokenServer {
  url: string;
  /** Requests waiting at /hold. */
  held(): number;
  /** Answers every request waiting at /hold. */
  release(): void;
  /** Answers /barrier only once `n` requests wait there together. */
  setBarrier(n: number): void;
  close(): Promise<void>;
}

/**
 * /status/<n>: answers HTTP n with a JSON error body.
 * /hold: waits until `release()`, then answers 200.
 * /barrier: waits until `setBarrier(n)` requests are waiting, then answers them all.
 */
export async function startTokenServer(): Promise<TokenServer> {
  let holding: http.ServerResponse[] = [];
  let barrier = Number.POSITIVE_INFINITY;
  let waiting: http.ServerResponse[] = [];
  const ok = (res: http.ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = /^\/status\/(\d{3})$/.exec(req.url ?? '');
      if (status) {
        res.writeHead(Number(status[1]), { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: 'refused', error_description: `answered ${status[1]}` }));
      } else if (req.url === '/hold') {
        holding.push(res);
      } else if (req.url === '/barrier') {
        waiting.push(res);
        if (waiting.length >= barrier) {
          waiting.forEach(ok);
          waiting = [];
        }
      } else {
        ok(res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => holding.length,
    release: () => {
      holding.forEach(ok);
      holding = [];
    },
    setBarrier: (n) => {
      barrier = n;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Everything this app reaches is on `tokenUrl` (and `refusedPort`); nothing else. */
export function tinyApp(tokenUrl: string, refusedPort: number) {
  async function refreshAccessToken(z: ZObject, bundle: Bundle) {
    const mode = text(bundle.authData.mode);
    const http = /^http:(\d{3})$/.exec(mode);
    if (http) {
      // Through core's full z.request path: autoRefresh's 401 rule, throwForThrottling, throwForStatus.
      await z.request({ url: `${tokenUrl}/status/${http[1]}`, method: 'POST' });
    }
    const app = /^AppError:(\d{3}):(\w+)$/.exec(mode);
    if (app) throw new z.errors.Error(`refused: ${app[2]}`, app[2], Number(app[1]));
    switch (mode) {
      case 'ExpiredAuthError':
        throw new z.errors.ExpiredAuthError('Reconnect, please.');
      case 'ThrottledError':
        throw new z.errors.ThrottledError('Slow down.', 30);
      case 'RefreshAuthError':
        throw new z.errors.RefreshAuthError('Refresh again.');
      case 'network':
        await z.request({ url: `http://127.0.0.1:${refusedPort}/token`, method: 'POST' });
        break;
      case 'same':
        return { access_token: 'old' };
      case 'hold':
        await z.request({ url: `${tokenUrl}/hold`, method: 'POST' });
        break;
      default:
        break;
    }
    return { access_token: `fresh-from-${text(bundle.authData.refresh_token)}` };
  }

  return {
    version: '1.0.0',
    platformVersion: zapier.version,
    authentication: {
      type: 'oauth2' as const,
      test: async () => ({ name: 'tiny' }),
      connectionLabel: '{{name}}',
      oauth2Config: {
        authorizeUrl: { url: `${tokenUrl}/authorize` },
        getAccessToken: async () => ({ access_token: 'a', refresh_token: 'r' }),
        refreshAccessToken,
        autoRefresh: true,
      },
    },
    triggers: {
      /** Needs a refresh while access_token is "old"; throws ExpiredAuthError when it is "dead". */
      thing: {
        key: 'thing',
        noun: 'Thing',
        display: { label: 'Thing', description: 'Lists things.' },
        operation: {
          perform: async (z: ZObject, bundle: Bundle) => {
            if (bundle.authData.access_token === 'old') throw new z.errors.RefreshAuthError('expired');
            if (bundle.authData.access_token === 'dead') throw new z.errors.ExpiredAuthError('Gone.');
            if (bundle.inputData.barrier) await z.request({ url: `${tokenUrl}/barrier` });
            if (bundle.inputData.log) z.console.log(text(bundle.inputData.log));
            return [{ id: 1, token: bundle.authData.access_token }];
          },
        },
      },
      /** Items 1..25 in pages of 10, the cursor in z.cursor (a canPaginate dropdown). */
      paged: {
        key: 'paged',
        noun: 'Item',
        display: { label: 'Items', description: 'Lists items.', hidden: true },
        operation: {
          canPaginate: true,
          perform: async (z: ZObject, bundle: Bundle) => {
            const page = bundle.meta?.page ?? 0;
            let from = 1;
            if (page > 0) {
              const cursor = await z.cursor.get();
              if (!cursor) return [];
              from = Number(cursor);
            }
            const to = Math.min(from + 9, 25);
            await z.cursor.set(to < 25 ? String(to + 1) : '');
            return Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));
          },
        },
      },
      no_id: {
        key: 'no_id',
        noun: 'Thing',
        display: { label: 'No id', description: 'Returns items without an id.' },
        operation: { perform: async () => [{ name: 'nameless' }] },
      },
      not_a_list: {
        key: 'not_a_list',
        noun: 'Thing',
        display: { label: 'Not a list', description: 'Returns an object.' },
        operation: { perform: async () => ({ id: 1 }) },
      },
    },
    creates: {
      /** One z.cache call, spelled out in inputData. */
      cache_op: {
        key: 'cache_op',
        noun: 'Entry',
        display: { label: 'Cache op', description: 'Calls z.cache.' },
        operation: {
          perform: async (z: ZObject, bundle: Bundle) => {
            const { op, key, value, ttl, scope, nx } = bundle.inputData as {
              op: string;
              key: string;
              value?: unknown;
              ttl?: number;
              scope?: string[];
              nx?: boolean;
            };
            // Core's typings omit scope on get/delete; its source takes it (create-cache.js).
            const cache = z.cache as unknown as {
              get(k: string, s?: string[] | null): Promise<unknown>;
              set(
                k: string,
                v: unknown,
                t?: number | null,
                s?: string[] | null,
                n?: boolean | null,
              ): Promise<unknown>;
              delete(k: string, s?: string[] | null): Promise<unknown>;
            };
            if (op === 'get') return { result: await cache.get(key, scope ?? null) };
            if (op === 'delete') return { result: await cache.delete(key, scope ?? null) };
            return { result: await cache.set(key, value, ttl ?? null, scope ?? null, nx ?? null) };
          },
        },
      },
    },
  };
}
