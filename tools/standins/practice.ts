// The Practice API's stand-in for the conformance suite: the sandbox (tools/sandbox), which
// implements docs/practice-api.md, behind the interface every provider stand-in offers. It is
// written from the contract, like the sandbox, never from practice/profile.ts.
import { createHash, randomBytes } from 'node:crypto';
import { consent } from '../harness/consent';
import { DEMO_MEMBERS, startSandbox, type Sandbox } from '../sandbox/server';
import { SCOPES as SANDBOX_SCOPES } from '../sandbox/store';
import type { EndpointFamily, StandInConnection, SuiteStandIn } from 'zapier-oauth-layer/standin';

/** Every scope of the contract's §2, in the consent page's order. */
const SCOPES: readonly string[] = SANDBOX_SCOPES;

const OWNER_EMAIL = DEMO_MEMBERS.find((m) => m.role === 'owner')?.email ?? 'owner@ledger.example';
const REDIRECT_URI = 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/';

/** §5: how an expired token is told, by which quirks. The probe is a legacy endpoint, so K2 applies there. */
const EXPIRY = {
  '403 token_expired (K1)': { K1: true, K1HeaderOnly: false, K2: false },
  '403 with only WWW-Authenticate (K1, header only)': { K1: true, K1HeaderOnly: true, K2: false },
  '200 ok:false token_expired (K2)': { K1: true, K1HeaderOnly: false, K2: true },
  '401 invalid_token': { K1: false, K1HeaderOnly: false, K2: false },
} as const;

const RATE_LIMITS = {
  '429 Retry-After': { status: 429, K2: false },
  '403 rate_limited (K3)': { status: 403, K2: false },
  '200 ok:false rate_limited (K2)': { status: 429, K2: true },
} as const;

/** The names of both, known before a sandbox starts: the conformance suite makes one test of each. */
export const signals = {
  expirySignals: Object.keys(EXPIRY),
  rateLimitSignals: Object.keys(RATE_LIMITS),
} as const;

const PROBE_PATH = '/api/v1/tasks';
const PROBE_SCOPE = 'tasks:read';

/** One family: the task API, whose refusals of a role are the contract's 403s. */
export const families: readonly EndpointFamily[] = [
  {
    name: 'api',
    probe: { method: 'GET', path: PROBE_PATH },
    probeScope: PROBE_SCOPE,
    ...signals,
    scopeErrorIsExpiry: false,
    forbidden: 'role',
  },
];

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export async function start(options: { accessTokenLifetimeSeconds?: number } = {}): Promise<SuiteStandIn> {
  const sandbox: Sandbox = await startSandbox({
    port: 0,
    accessTokenTtlSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    redirectUris: [REDIRECT_URI],
    // K8: the strictest rotation the contract knows; K7 off so bursts are not throttled by it.
    quirks: { K7: false, K8: true, K2: false },
  });

  async function codeFor(scopes: readonly string[], challenge: string): Promise<string> {
    const url = new URL('/oauth/authorize', sandbox.url);
    url.searchParams.set('client_id', sandbox.clientId);
    url.searchParams.set('redirect_uri', REDIRECT_URI);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('state', 'conformance');
    url.searchParams.set('scope', scopes.join(' '));
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    const answer = await consent(url.toString(), { email: OWNER_EMAIL, password: sandbox.demoPassword });
    if (!answer.code) throw new Error(`the sandbox gave no code: ${answer.error ?? answer.location}`);
    return answer.code;
  }

  const standIn: SuiteStandIn = {
    provider: 'practice',
    url: sandbox.url,
    families,
    probePath: PROBE_PATH,
    probeScope: PROBE_SCOPE,
    allScopes: SCOPES,
    get accessTokenLifetimeSeconds() {
      return sandbox.accessTokenTtlSeconds;
    },
    client: { id: sandbox.clientId, secret: sandbox.clientSecret },
    ...signals,
    rotation: 'strict',

    async connect(scopes = SCOPES): Promise<StandInConnection> {
      const verifier = randomBytes(32).toString('base64url');
      const code = await codeFor(scopes, s256(verifier));
      const response = await fetch(new URL('/oauth/token', sandbox.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: verifier,
        }),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string')
        throw new Error(`the sandbox refused the code (HTTP ${response.status})`);
      sandbox.resetRequestLog();
      return {
        access_token: body.access_token,
        refresh_token: body.refresh_token,
        expires_in: Number(body.expires_in),
        scope: String(body.scope ?? ''),
      };
    },
    authorizationCode() {
      throw new Error('Practice requires PKCE: use consent(authorizeUrl) with the URL the app built');
    },
    async consent(authorizeUrl) {
      const answer = await consent(authorizeUrl, { email: OWNER_EMAIL, password: sandbox.demoPassword });
      if (!answer.code) throw new Error(`the sandbox gave no code: ${answer.error ?? answer.location}`);
      return answer.code;
    },
    expireAccessTokens(signal = '403 token_expired (K1)') {
      const quirks = EXPIRY[signal as keyof typeof EXPIRY];
      if (!quirks) throw new Error(`unknown expiry signal ${signal}`);
      sandbox.setQuirks(quirks);
      sandbox.expireAccessTokens();
    },
    rateLimit(count, retryAfterSeconds, signal = '429 Retry-After') {
      const how = RATE_LIMITS[signal as keyof typeof RATE_LIMITS];
      if (!how) throw new Error(`unknown rate-limit signal ${signal}`);
      sandbox.setQuirks({ K2: how.K2 });
      sandbox.triggerRateLimit(undefined, { count, retryAfter: retryAfterSeconds, status: how.status });
    },
    forbid(on) {
      sandbox.forbidRequests(on ? 1_000_000 : 0);
    },
    revokeAll() {
      for (const grant of sandbox.grants()) if (!grant.revoked) sandbox.revokeGrant(grant.id);
    },
    failTokenEndpoint(count, kind) {
      sandbox.failTokenRequests(count, kind);
    },
    holdTokenRequests() {
      const hold = sandbox.holdTokenRequests();
      let arrived = 0;
      const held: Array<{ release(): void }> = [];
      const pump = async () => {
        for (;;) {
          const next = await hold.next();
          arrived += 1;
          held.push(next);
        }
      };
      void pump();
      return {
        waiting: () => arrived,
        release: () => {
          for (const request of held.splice(0)) request.release();
          hold.end();
        },
      };
    },
    tokenStats() {
      const stats = sandbox.tokenStats();
      return {
        tokenRequests: stats.tokenRequests,
        refreshRequests: stats.refreshRequests,
        reusedRefreshTokens: stats.reuses + stats.graceReplays,
        revokedByReuse: stats.reuses,
      };
    },
    close: () => sandbox.close(),
  };
  return standIn;
}
