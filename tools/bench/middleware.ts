// Cost of the afterResponse path per response: practice.classify alone, the whole
// practice.middleware.named.throwForSignals middleware (building the Zapier error included), and a no-op
// middleware, on the same response objects in the same process. For scale, core's own
// JSON.parse of the body is measured too (it runs on every response before ours).
import zapier, { type Bundle, type HttpResponse, type ZObject } from 'zapier-platform-core';
import { practice } from '../../practice/layer';
import { median, printTable } from './table';

const BASE_URL = 'https://api.practice.example';
const BATCHES = 31;
const TARGET_BATCH_MS = 20;

interface Case {
  name: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

function client(i: number) {
  return {
    id: `cl_${String(i).padStart(6, '0')}`,
    name: `Client ${i} Holdings Ltd`,
    type: i % 3 ? 'business' : 'individual',
    email: `accounts${i}@client${i}.example`,
    phone: `+44 20 7946 ${String(1000 + i).slice(-4)}`,
    tags: ['vat', i % 2 ? 'payroll' : 'year-end'],
    external_id: i % 4 ? `crm-${i}` : null,
    status: 'active',
    created_at: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
    updated_at: new Date(Date.UTC(2025, 1, 1) + i * 3_600_000).toISOString(),
  };
}

const page = Array.from({ length: 25 }, (_, i) => client(i));

const CASES: Case[] = [
  { name: '200 page of 25 clients', status: 200, headers: {}, body: { data: page, next_cursor: 'c_25' } },
  {
    name: '200 legacy ok:true page of 25',
    status: 200,
    headers: {},
    body: { ok: true, data: page, next_cursor: null },
  },
  {
    name: '403 token_expired (K1)',
    status: 403,
    headers: {
      'www-authenticate': 'Bearer error="invalid_token", error_description="The access token expired"',
    },
    body: { error: { code: 'token_expired', message: 'The access token expired' } },
  },
  {
    name: '200 ok:false validation_failed (K2)',
    status: 200,
    headers: {},
    body: {
      ok: false,
      error: {
        code: 'validation_failed',
        message: 'Some fields are invalid',
        details: { fields: { email: 'is not a valid email address', due_date: 'must be YYYY-MM-DD' } },
      },
    },
  },
  {
    name: '403 rate_limited + Retry-After (K3)',
    status: 403,
    headers: { 'retry-after': '30' },
    body: { error: { code: 'rate_limited', message: 'Too many requests' } },
  },
];

function responseFor(c: Case): HttpResponse {
  const content = JSON.stringify(c.body);
  return {
    status: c.status,
    data: c.body,
    json: c.body,
    content,
    headers: c.headers,
    getHeader: (name: string) => c.headers[name.toLowerCase()],
    request: { url: `${BASE_URL}/api/v1/clients?limit=25`, method: 'GET' },
  } as unknown as HttpResponse;
}

/** Median ns per call over BATCHES batches sized to take about TARGET_BATCH_MS each. */
function nsPerOp(fn: () => void): number {
  let n = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= TARGET_BATCH_MS / 4) {
      n = Math.max(1, Math.round((n * TARGET_BATCH_MS) / ms));
      break;
    }
    n *= 4;
  }
  const samples: number[] = [];
  for (let b = 0; b < BATCHES; b += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) fn();
    samples.push(Number(process.hrtime.bigint() - start) / n);
  }
  return median(samples);
}

function swallow(fn: () => unknown): () => void {
  return () => {
    try {
      fn();
    } catch {
      // Error responses throw by design; the throw is part of the cost.
    }
  };
}

export async function main(): Promise<void> {
  process.env.BASE_URL = BASE_URL;
  process.env.CLIENT_SECRET = 'cs_bench_secret_value';
  const z = { errors: zapier.errors } as unknown as ZObject;
  const bundle = {
    authData: { access_token: 'pat_bench_access_token_0001', refresh_token: 'prt_bench_refresh_token_0001' },
  } as unknown as Bundle;
  const noop = (response: HttpResponse) => response;

  console.log(`\n## Middleware cost (ns/op, median of ${BATCHES} batches of ~${TARGET_BATCH_MS} ms)\n`);
  const rows: string[][] = [];
  for (const c of CASES) {
    const response = responseFor(c);
    const like = {
      status: response.status,
      header: (name: string) => response.getHeader(name),
      body: response.data as unknown,
      content: response.content,
    };
    const outcome = (() => {
      try {
        practice.middleware.named.throwForSignals(response, z, bundle);
        return 'returns';
      } catch (error) {
        return `throws ${(error as Error).name}`;
      }
    })();
    const parse = nsPerOp(() => JSON.parse(response.content));
    const base = nsPerOp(swallow(() => noop(response)));
    const classify = nsPerOp(swallow(() => practice.classify(like)));
    const full = nsPerOp(swallow(() => practice.middleware.named.throwForSignals(response, z, bundle)));
    rows.push([
      c.name,
      outcome,
      base.toFixed(0),
      classify.toFixed(0),
      full.toFixed(0),
      (full / base).toFixed(0),
      parse.toFixed(0),
    ]);
  }
  printTable(
    [
      'response',
      'middleware',
      'no-op',
      'practice.classify',
      'practice.middleware.named.throwForSignals',
      'full/no-op',
      "core's JSON.parse",
    ],
    rows,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
