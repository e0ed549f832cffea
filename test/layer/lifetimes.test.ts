// Lifetimes a token answer states its own way (issue 26, 4): a fixed lifetime counted from
// when the answer says the token was issued (Salesforce's issued_at in milliseconds, as a
// string; Tally's 30 minutes without expires_in), and an absolute expiry as an ISO 8601 date.
import {
  createLayer,
  defineProfile,
  lifetimeOf,
  profileProblems,
  type Profile,
  type ProfileInput,
} from 'zapier-oauth-layer/internal';

const NOW = Date.parse('2026-03-01T12:00:00Z') / 1000;
type Lifetime = Profile['token']['lifetime'];
const ms = (seconds: number) => String(seconds * 1000);

// Salesforce: no expires_in; issued_at in epoch milliseconds; the session lasts the org's timeout (2 h by default).
const salesforce: Lifetime = {
  field: null,
  unit: 'seconds',
  assumeSeconds: 7200,
  issuedAt: { field: 'issued_at', unit: 'epoch-milliseconds' },
};

describe('a lifetime counted from issued_at', () => {
  it.each<[string, Lifetime, Record<string, unknown>, number]>([
    ['an assumed 2 h, issued 10 min ago (ms, a string)', salesforce, { issued_at: ms(NOW - 600) }, 6600],
    ['an assumed 2 h, issued now', salesforce, { issued_at: ms(NOW) }, 7200],
    [
      "Tally's 30 min, issued 1 min ago",
      { ...salesforce, assumeSeconds: 1800 },
      { issued_at: ms(NOW - 60) },
      1740,
    ],
    [
      'expires_in counted from issued_at in seconds',
      {
        field: 'expires_in',
        unit: 'seconds',
        assumeSeconds: null,
        issuedAt: { field: 'iat', unit: 'epoch-seconds' },
      },
      { expires_in: 3600, iat: NOW - 100 },
      3500,
    ],
    ['issued_at a few seconds ahead of our clock: from now', salesforce, { issued_at: ms(NOW + 30) }, 7200],
    ['issued_at hours ahead (not sane): from arrival', salesforce, { issued_at: ms(NOW + 7200) }, 7200],
    [
      'issued before its whole lifetime by our clock (skew): from arrival, never an expiry already past',
      salesforce,
      { issued_at: ms(NOW - 9000) },
      7200,
    ],
    ['issued_at unreadable: from arrival', salesforce, { issued_at: 'yesterday' }, 7200],
    ['no issued_at: from arrival', salesforce, {}, 7200],
  ])('%s', (_what, lifetime, body, seconds) => {
    expect(lifetimeOf(lifetime, body, NOW)).toBe(seconds);
  });

  it('stores the expiry it makes: expires_at counts from issue', () => {
    const profile: ProfileInput = {
      id: 'tally',
      name: 'Tally',
      troubleshooting: 'docs/troubleshooting.md',
      endpoints: {
        base: 'https://api.tally.example',
        baseEnv: 'TALLY_BASE_URL',
        authorize: '/oauth/authorize',
        token: '/oauth/token',
        api: '/',
      },
      client: { idEnv: 'TALLY_CLIENT_ID', secretEnv: 'TALLY_CLIENT_SECRET' },
      authorization: { scopes: [], pkce: 'none' },
      token: {
        lifetime: {
          field: null,
          assumeSeconds: 1800,
          issuedAt: { field: 'issued_at', unit: 'epoch-milliseconds' },
        },
        rotation: { kind: 'none' },
      },
    };
    const outcome = createLayer(defineProfile(profile)).normaliseTokenResponse(
      { status: 200, body: { access_token: 'a', refresh_token: 'r', issued_at: ms(NOW - 300) } },
      { grant: 'refresh_token', nowSeconds: NOW, secrets: [] },
    );
    expect(outcome).toMatchObject({ ok: true, authData: { expires_at: NOW + 1500, expires_in: 1500 } });
  });
});

describe('an absolute expiry as an ISO 8601 date', () => {
  // GitHub's installation access tokens: "expires_at": "2016-07-11T22:14:10Z"
  // (docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app).
  const iso: Lifetime = { field: 'expires_at', unit: 'iso-8601', assumeSeconds: null };

  it.each<[string, number]>([
    ['2026-03-01T13:00:00Z', 3600],
    ['2026-03-01T13:00:00.500Z', 3600],
    ['2026-03-01T14:00:00+01:00', 3600],
    ['2026-03-01T13:00Z', 3600],
    ['2026-03-01T11:00:00Z', 0], // past
    ['2026-03-01T13:00:00', 0], // no zone: whose 13:00?
    ['2026-03-01', 0],
    ['1772370000', 0], // a number is not a date
  ])('reads %s as %p seconds', (value, seconds) => {
    expect(lifetimeOf(iso, { expires_at: value }, NOW)).toBe(seconds);
  });
});

describe('lifetimes are checked at load', () => {
  const base: ProfileInput = {
    id: 'x',
    name: 'X',
    troubleshooting: 'docs/troubleshooting.md',
    endpoints: { base: 'https://x.example', baseEnv: 'X_BASE_URL', authorize: '/a', token: '/t', api: '/' },
    client: { idEnv: 'X_ID', secretEnv: 'X_SECRET' },
    authorization: { scopes: [], pkce: 'none' },
    token: { rotation: { kind: 'none' } },
  };
  const problems = (lifetime: unknown) =>
    profileProblems({ ...base, token: { ...base.token, lifetime } as ProfileInput['token'] });

  it('refuses issuedAt beside a moment it cannot shift', () => {
    expect(
      problems({
        field: 'expires_at',
        unit: 'epoch-seconds',
        issuedAt: { field: 'iat', unit: 'epoch-seconds' },
      }),
    ).toEqual([
      'token.lifetime.issuedAt: only applies to a lifetime (seconds, milliseconds) or assumeSeconds, not to the moment "epoch-seconds" names',
    ]);
  });

  it('refuses an issuedAt in a unit that is not a moment', () => {
    expect(problems({ issuedAt: { field: 'iat', unit: 'seconds' } })[0]).toMatch(
      /^token\.lifetime\.issuedAt\.unit: must be one of "epoch-seconds", "epoch-milliseconds"/,
    );
  });
});
