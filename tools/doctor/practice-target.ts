// Practice, as the doctor's data: what this app knows of its API beyond the profile. Its own
// endpoints (/me and the connection label it renders, a plain and a legacy endpoint), which of
// its steps needs which scope (practice/scopes.ts), the names of its known behaviours K1–K8
// (docs/practice-api.md), and the rows of docs/troubleshooting.md its fixes point to.
import type { Signal } from 'zapier-oauth-layer/internal';
import authentication from '../../authentication';
import { practice } from '../../practice/layer';
import { scopeLabel, stepsMissingScopes } from '../../practice/scopes';
import { renderLabel } from 'zapier-oauth-layer/conformance';
import {
  rawType,
  type Answer,
  type LoadedProfile,
  type Target,
  type TokenErrorWords,
  type Words,
} from 'zapier-oauth-layer/doctor';

/** The row of docs/troubleshooting.md's "run the doctor first" table for a check. */
export function docLink(id: string): string {
  return `docs/troubleshooting.md#doctor-${id.replace(/_/g, '-')}`;
}

/** How a Practice answer says "this token is no good", with the contract's name for it. */
export function describeTokenSignal(answer: Answer, signal: Signal): string {
  const hasBody = answer.content.trim() !== '';
  if (signal.status === 401) return `HTTP 401${signal.code ? ` ${signal.code}` : ''} (standard, RFC 6750)`;
  if (signal.status === 403 && signal.code === 'token_expired')
    return 'HTTP 403 token_expired with a body (K1)';
  if (signal.status === 403 && signal.kind === 'refresh' && !hasBody) {
    return 'HTTP 403 with no body, only a WWW-Authenticate challenge with error="invalid_token" (K1, header-only)';
  }
  if (signal.status >= 200 && signal.status < 300 && signal.code)
    return `HTTP ${signal.status} ok:false ${signal.code} (K2)`;
  return signal.source;
}

const tokenErrors: TokenErrorWords = {
  as200: ({ problem }) =>
    `Token endpoint errors come as HTTP 200 with an RFC 6749 error body (K6, legacy deployment); handled: layer/tokens.ts reads the body and reports ${problem}, nothing is stored.`,
  as200Unexpected: ({ seen }) => neither(seen),
  status: ({ status }) =>
    `Token endpoint errors come as HTTP ${status} with an RFC 6749 §5.2 error body (standard).`,
  other: ({ seen }) => neither(seen),
};

function neither(seen: string) {
  return {
    finding: `The token endpoint answered an invalid refresh token with ${seen}, neither an RFC 6749 400 nor a K6 200.`,
    fix: 'Report the answer to Practice; the integration shows it as the message named.',
  };
}

const words: Words = {
  baseUnset: '',
  clientMethod: '',
  offline: 'keep "Stay connected (offline access)" ticked',
  testShort: '/me',
  refusedBy: ' by /me',
  lookUp: 'Find the message for this signal in the table below the doctor section.',
  unhandled: 'Report this answer to the integration owner: layer/signals.ts must learn it.',
  expiredAside: ' (K1: 403 token_expired)',
  seeExpiry:
    'To see it: run the doctor again once expires_at has passed, or `npm run doctor -- --sandbox` (expires a token on purpose).',
  grantWhere: 'in Practice under connected apps',
  refreshSkipped: {
    finding:
      'Not run: a refresh rotates the refresh token. Grace period versus strict rotation (K8) is never probed on a live connection: under K8 it would revoke the grant.',
    fix: 'Run `npm run doctor -- --refresh` (reports expires_in and rotation, writes the new tokens to .env), or `npx zapier-platform invoke auth refresh`. For K8, ask whether the firm turned on strict token security in Practice.',
  },
  refreshed: ({ status, raw, expiry }) =>
    `Refreshed: HTTP ${status}; expires_in is ${rawType(raw, { string: ' (K6)', number: ' (standard)' })}, giving expires_at ${expiry} via expiresAtFrom`,
  unknownExpiry:
    "Nothing breaks: with expires_at unknown the integration relies on the API's expiry signals; ask Practice for a numeric expires_in.",
  rateHeaders: (answer) => {
    const limit = answer.header('x-ratelimit-limit');
    const remaining = answer.header('x-ratelimit-remaining');
    return limit || remaining
      ? `X-RateLimit-Limit ${limit ?? '?'}, X-RateLimit-Remaining ${remaining ?? '?'} on /me${limit === '120' ? ' (K7: 120 requests per minute per token)' : ''}`
      : '/me carried no X-RateLimit-* headers';
  },
  rateFix: 'Look for X-RateLimit-* and Retry-After in any API answer (`curl -i`).',
  throttledAs: (status) =>
    status === 403 ? ' (K3: throttling as a 403)' : status === 429 ? ' (standard 429)' : '',
  tokenErrors,
};

/** Practice, through the app's own layer; with --profile practice, the profile as loaded. */
export function practiceTarget(given: { loaded?: LoadedProfile; command?: string } = {}): Target {
  return {
    layer: practice,
    command: given.command ?? 'npm run doctor --',
    ...(given.loaded ? { loaded: given.loaded } : {}),
    link: docLink,
    probeTokens: { access: 'pat', refresh: 'prt' },
    own: {
      test: {
        path: '/api/v1/me',
        label: {
          render: (body) => renderLabel({ authentication }, body),
          source: authentication.connectionLabel,
          blankFix: 'The /me answer lacks email or firm.name; report it to Practice.',
        },
      },
      expiry: { path: '/api/v1/clients?limit=1', what: 'A plain endpoint' },
      legacy: {
        path: '/api/v1/clients/search?email=doctor-probe%40example.invalid',
        what: 'A legacy endpoint',
      },
    },
    probe: null,
    steps: {
      missing: stepsMissingScopes,
      label: scopeLabel,
      offline: {
        scope: 'offline_access',
        finding: ' No offline_access: Practice issues no refresh token, the connection dies within the hour.',
      },
      readProbes: [
        ['projects:read', '/api/v1/projects?limit=1'],
        ['clients:read', '/api/v1/clients?limit=1'],
        ['tasks:read', '/api/v1/tasks?limit=1'],
      ],
      narrowGrant: ['clients:read', 'offline_access'],
    },
    holdAgainstProfile: false,
    describe: describeTokenSignal,
    words,
  };
}
