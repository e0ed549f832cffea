// A fault-injecting HTTP proxy for reliability tests: it sits between the app
// (BASE_URL points here) and the sandbox, forwards every request unchanged, and
// answers the next armed request(s) with a fault instead. 127.0.0.1 only.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** TCP RST before any answer. */
  | 'reset'
  /** Never answer; the app's own timeout must end the request. */
  | 'timeout'
  /** 500 with the contract's error body. */
  | 'http_500'
  /** 503 unavailable with Retry-After. */
  | 'http_503_retry_after'
  /** 502 with a load balancer's HTML page. */
  | 'http_502_html'
  /** 200 text/html, as a captive portal or misrouted gateway sends. */
  | 'html_200'
  /** 200 application/json with no body at all. */
  | 'empty_200'
  /** 200 application/json whose JSON stops half way (complete HTTP message). */
  | 'truncated_json'
  /** 200 announcing the full Content-Length, sending half, then closing the socket. */
  | 'cut_mid_body'
  /** 200 with a JSON array where the API answers an object. */
  | 'json_array';

export const FAULTS: readonly Fault[] = [
  'reset',
  'timeout',
  'http_500',
  'http_503_retry_after',
  'http_502_html',
  'html_200',
  'empty_200',
  'truncated_json',
  'cut_mid_body',
  'json_array',
];

export const RETRY_AFTER_SECONDS = 120;

export interface ProxyLogEntry {
  method: string;
  path: string;
  /** The fault injected, or null when the request was forwarded. */
  fault: Fault | null;
}

export interface FaultProxy {
  readonly url: string;
  readonly log: readonly ProxyLogEntry[];
  /** Injects `fault` into the next `count` requests whose path starts with `pathPrefix` (default: any). */
  arm(fault: Fault, opts?: { count?: number; pathPrefix?: string }): void;
  /** Drops armed faults and the log. */
  reset(): void;
  close(): Promise<void>;
}

interface Armed {
  fault: Fault;
  remaining: number;
  pathPrefix: string;
}

const CLIENT = {
  id: 'cl_fault',
  name: 'Fault Injection Ltd',
  type: 'business',
  email: 'fault@proxy.example',
  phone: null,
  tags: [],
  external_id: null,
  status: 'active',
  created_at: '2024-01-01T00:00:00Z',
  updated_at: '2024-01-01T00:00:00Z',
};

function send(res: ServerResponse, status: number, type: string, body: string, extra = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function inject(fault: Fault, req: IncomingMessage, res: ServerResponse, held: Set<Socket>): void {
  const json = 'application/json; charset=utf-8';
  switch (fault) {
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'timeout':
      held.add(req.socket);
      return;
    case 'http_500':
      return send(res, 500, json, JSON.stringify({ error: { code: 'internal', message: 'Internal error' } }));
    case 'http_503_retry_after':
      return send(
        res,
        503,
        json,
        JSON.stringify({ error: { code: 'unavailable', message: 'Down for maintenance' } }),
        { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      );
    case 'http_502_html':
      return send(res, 502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>');
    case 'html_200':
      return send(
        res,
        200,
        'text/html',
        '<!doctype html><html><body>Please sign in to the Wi-Fi</body></html>',
      );
    case 'empty_200':
      return send(res, 200, json, '');
    case 'truncated_json': {
      const whole = JSON.stringify({ ok: true, data: [CLIENT], next_cursor: null });
      return send(res, 200, json, whole.slice(0, Math.floor(whole.length / 2)));
    }
    case 'cut_mid_body': {
      const whole = JSON.stringify({ ok: true, data: [CLIENT], next_cursor: null });
      res.writeHead(200, { 'Content-Type': json, 'Content-Length': Buffer.byteLength(whole) });
      res.write(whole.slice(0, Math.floor(whole.length / 2)));
      held.add(req.socket);
      setTimeout(() => req.socket.destroy(), 20).unref();
      return;
    }
    case 'json_array':
      return send(res, 200, json, JSON.stringify([CLIENT]));
  }
}

function forward(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let armed: Armed[] = [];
  let log: ProxyLogEntry[] = [];
  const held = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = armed.find((a) => a.remaining > 0 && path.startsWith(a.pathPrefix));
    log.push({ method: req.method ?? 'GET', path, fault: match?.fault ?? null });
    if (!match) return forward(target, req, res);
    match.remaining -= 1;
    armed = armed.filter((a) => a.remaining > 0);
    // Read the request body first, as a real server would before failing.
    req.resume();
    req.on('end', () => inject(match.fault, req, res, held));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get log() {
      return log;
    },
    arm(fault, opts = {}) {
      armed.push({ fault, remaining: opts.count ?? 1, pathPrefix: opts.pathPrefix ?? '/' });
    },
    reset() {
      armed = [];
      log = [];
      for (const socket of held) socket.destroy();
      held.clear();
    },
    async close() {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
