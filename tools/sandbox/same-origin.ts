// Cross-site request defences for the parts of the sandbox a browser can reach on the
// developer's machine: the /_sandbox controls and the consent form. The sandbox listens on
// 127.0.0.1, but any web page the developer opens can still send it requests: a form or a
// no-cors fetch to http://127.0.0.1:4010/_sandbox/revoke needs no preflight, and a page whose
// name is rebound to 127.0.0.1 (DNS rebinding) can even read the answers. So:
//
// 1. Host. Every request to a guarded route must name the sandbox in its Host header: its
//    own listen host, `localhost`, or a loopback IP literal, on its own port (any IP literal
//    when it listens on every interface). DNS rebinding needs a host *name* the attacker owns,
//    and a browser will not let a page forge Host, so a rebound page is refused here.
// 2. Origin and Sec-Fetch-Site. Browsers send Origin on every POST and Sec-Fetch-Site on
//    every request (Chromium, Firefox, Safari ≥ 16.4). A request is refused when Origin is
//    present and is not the origin the request itself was sent to (http://<Host>; "null"
//    included), or when Sec-Fetch-Site says `cross-site` or `same-site` (another port on
//    127.0.0.1 is the same site). curl, scripts and Node's fetch send neither header, so they
//    pass, as the `curl -X POST …/_sandbox/expire-tokens` of docs/development.md must.
// 3. Content-Type, controls only. A state-changing control call either has no body and no
//    Content-Type (curl -X POST, fetch without a body), or a JSON body with
//    `Content-Type: application/json`. An HTML form always sends a form Content-Type, even
//    with no fields, and a cross-origin fetch with a JSON Content-Type needs a CORS preflight
//    the sandbox never grants. So even a browser that sent no Origin could not get a
//    control through; this is defence in depth behind rule 2.
// The consent form carries its own per-page token besides (see consent-tokens.ts).
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface Refusal {
  status: 403 | 415;
  code: 'foreign_host' | 'cross_site_request' | 'unsupported_content_type';
  message: string;
}

// No state changes on these; every other method is guarded as state-changing.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isLoopbackIp(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  const v6 = address.toLowerCase();
  return v6 === '::1' || v6 === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(v6);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function parseHost(value: string): { name: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(value);
  if (!match) return null;
  const name = (match[1] ?? match[2] ?? '').toLowerCase();
  return { name, port: match[3] === undefined ? 80 : Number(match[3]) };
}

export function checkHost(value: string | undefined, address: ListenAddress): Refusal | null {
  const refuse = (why: string): Refusal => ({
    status: 403,
    code: 'foreign_host',
    message: `${why}: the sandbox answers only requests addressed to it (http://127.0.0.1:${address.port}, http://localhost:${address.port}). This guards against DNS rebinding.`,
  });
  if (!value) return refuse('missing Host header');
  const parsed = parseHost(value);
  if (!parsed) return refuse(`unreadable Host header "${value}"`);
  if (parsed.port !== address.port) return refuse(`Host "${value}" names another port`);
  const own = unbracket(address.host).toLowerCase();
  const listensEverywhere = own === '0.0.0.0' || own === '::';
  const known =
    parsed.name === own ||
    parsed.name === 'localhost' ||
    isLoopbackIp(parsed.name) ||
    (listensEverywhere && isIP(parsed.name) !== 0);
  return known ? null : refuse(`Host "${value}" is not the sandbox`);
}

// Rule 2 above. Host has already been checked, so "the request's own origin" is safe to
// derive from it.
export function checkSameOrigin(req: Request): Refusal | null {
  const refuse = (why: string): Refusal => ({
    status: 403,
    code: 'cross_site_request',
    message: `${why}: the sandbox refuses state-changing requests sent by another web page. Call it from curl, a script, or its own pages.`,
  });
  const site = req.get('sec-fetch-site')?.toLowerCase();
  if (site === 'cross-site' || site === 'same-site') return refuse(`Sec-Fetch-Site is ${site}`);
  const origin = req.get('origin');
  if (origin === undefined) return null;
  // URL normalises both sides (case, a default port) before they are compared.
  const originOf = (text: string): string | null => {
    try {
      return new URL(text).origin;
    } catch {
      return null;
    }
  };
  const own = originOf(`http://${req.get('host') ?? ''}`);
  const sent = originOf(origin);
  return sent !== null && sent === own ? null : refuse(`Origin "${origin}" is not the sandbox's origin`);
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

// Rule 3 above.
export function checkControlBody(req: Request): Refusal | null {
  const type = req.get('content-type');
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return null;
  if (type === undefined && !hasBody(req)) return null;
  return {
    status: 415,
    code: 'unsupported_content_type',
    message:
      type === undefined
        ? 'send the body as JSON with Content-Type: application/json'
        : `Content-Type ${type} is not accepted: send no body, or JSON with Content-Type: application/json`,
  };
}

export function checkControlRequest(req: Request, address: ListenAddress): Refusal | null {
  const host = checkHost(req.get('host'), address);
  if (host || SAFE_METHODS.has(req.method)) return host;
  return checkSameOrigin(req) ?? checkControlBody(req);
}

/** Express middleware for /_sandbox: refusals are JSON, like every control error. */
export function guardControls(address: () => ListenAddress) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const refusal = checkControlRequest(req, address());
    if (!refusal) return next();
    res.status(refusal.status).json({ error: refusal.message, code: refusal.code });
  };
}
