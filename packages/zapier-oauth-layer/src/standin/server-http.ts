// The stand-in's HTTP plumbing: one node:http server on 127.0.0.1 (port 0), request bodies read
// with a size limit, form and flat JSON parameters, and a Reply written on the wire. Nothing here
// knows a provider or a token.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Reply } from './server-spec';

const MAX_BODY = 64 * 1024;

export class BodyTooLarge extends Error {}

/** Answers every request with `handle`'s Reply; a failure is a 413 (body too large) or a 500 naming the stand-in, never its cause. */
export async function listen(
  provider: string,
  handle: (req: IncomingMessage, url: URL) => Promise<Reply>,
): Promise<{ server: http.Server; baseUrl: string }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    handle(req, url).then(
      (reply) => send(res, reply),
      (error: unknown) => {
        const tooLarge = error instanceof BodyTooLarge;
        send(res, {
          status: tooLarge ? 413 : 500,
          json: { standIn: provider, error: tooLarge ? 'request body too large' : 'stand-in failure' },
        });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

/** Stops listening and drops open connections. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form-encoded bodies (what OAuth token endpoints take), and flat JSON objects. */
export function parseForm(headers: IncomingHttpHeaders, body: string): URLSearchParams {
  if (!body) return new URLSearchParams();
  if ((headers['content-type'] ?? '').includes('application/json')) {
    const out = new URLSearchParams();
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) {
          if (typeof v === 'string' || typeof v === 'number') out.set(k, String(v));
        }
      }
    } catch {
      // Not JSON after all: no parameters.
    }
    return out;
  }
  return new URLSearchParams(body);
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...reply.headers };
  let payload = '';
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** A body parsed as JSON; undefined when it is empty or not JSON. */
export function parseJsonBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
