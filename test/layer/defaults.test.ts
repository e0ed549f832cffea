// Writing a profile (issue 26, 7): what RFC 6749 and 6750 settle may be left out, and
// defineProfile fills it in, so that the checked profile the layer reads is complete; what
// is dangerous to guess (rotation, PKCE) must still be said.
import {
  createLayer,
  defineProfile,
  profileProblems,
  ProfileError,
  type CheckedProfile,
  type ProfileInput,
} from 'zapier-oauth-layer/internal';
import { PROFILES } from '../../profiles';
import { practiceProfile } from '../../practice/profile';
import { PROFILES as BEFORE } from './compat/profiles';
import { practiceProfile as practiceBefore } from './compat/profiles/practice';

/** An API that does exactly what RFC 6749 and 6750 say, and no more. */
const rfc: ProfileInput = {
  id: 'rfc',
  name: 'RFC',
  troubleshooting: 'docs/troubleshooting.md',
  endpoints: {
    base: 'https://api.rfc.example',
    baseEnv: 'RFC_BASE_URL',
    authorize: '/authorize',
    token: '/token',
    api: '/v1/',
  },
  client: { idEnv: 'RFC_CLIENT_ID', secretEnv: 'RFC_CLIENT_SECRET' },
  authorization: { scopes: ['read'], pkce: 'none' },
  token: { rotation: { kind: 'none' } },
};

describe('a profile that leaves the standard out', () => {
  const filled = defineProfile(rfc);

  it('is filled in with RFC 6749 and 6750', () => {
    expect(filled).toMatchObject({
      endpoints: { authorizationScheme: 'Bearer' },
      client: { authMethod: 'basic' },
      authorization: { scopeSeparator: ' ' },
      signals: { body: {}, codes: {}, bearerChallenge: true },
      token: {
        errorCode: 'error',
        errorDescription: 'error_description',
        errorsAs200: false,
        tokenTypes: ['Bearer'],
        lifetime: { field: 'expires_in', unit: 'seconds', assumeSeconds: null },
        refreshTokenInRefresh: 'sometimes',
      },
    });
  });

  it('is read as the standard says', () => {
    const layer = createLayer(filled);
    const challenge = 'Bearer realm="rfc", error="insufficient_scope", scope="write"';
    const signal = layer.classify({
      status: 403,
      header: (name) => (name === 'www-authenticate' ? challenge : undefined),
      body: undefined,
      content: '',
    });
    expect(signal).toMatchObject({ kind: 'scope', requiredScope: 'write' });
    const refused = layer.normaliseTokenResponse(
      { status: 400, body: { error: 'invalid_grant', error_description: 'Token revoked.' } },
      { grant: 'refresh_token', nowSeconds: 1_800_000_000, secrets: [] },
    );
    expect(refused).toMatchObject({ ok: false, problem: 'invalid_grant' });
    const issued = layer.normaliseTokenResponse(
      { status: 200, body: { access_token: 'a', token_type: 'bearer', expires_in: 600 } },
      { grant: 'refresh_token', previousRefreshToken: 'r', nowSeconds: 1_800_000_000, secrets: [] },
    );
    expect(issued).toMatchObject({ ok: true, authData: { refresh_token: 'r', expires_in: 600 } });
  });

  it('keeps what it says over the standard, field by field', () => {
    const own = defineProfile({
      ...rfc,
      token: { ...rfc.token, errorCode: 'status', lifetime: { unit: 'milliseconds' } },
    });
    expect(own.token).toMatchObject({
      errorCode: 'status',
      errorDescription: 'error_description',
      lifetime: { field: 'expires_in', unit: 'milliseconds', assumeSeconds: null },
    });
  });

  it.each<[string, (p: ProfileInput) => void, RegExp]>([
    [
      'its rotation',
      (p) => delete (p.token as Partial<ProfileInput['token']>).rotation,
      /^token\.rotation: must be an object \(it is missing\)/,
    ],
    [
      'its PKCE',
      (p) => delete (p.authorization as Partial<ProfileInput['authorization']>).pkce,
      /^authorization\.pkce: must be one of/,
    ],
  ])('must still say %s', (_what, change, expected) => {
    const profile = JSON.parse(JSON.stringify(rfc)) as ProfileInput;
    change(profile);
    expect(profileProblems(profile).some((p) => expected.test(p))).toBe(true);
    expect(() => defineProfile(profile)).toThrow(ProfileError);
  });

  it('is checked after it is filled in: a default and a field that contradicts it are refused', () => {
    expect(
      profileProblems({ ...rfc, token: { rotation: { kind: 'strict' }, refreshTokenInRefresh: 'never' } }),
    ).toEqual([
      'token.refreshTokenInRefresh: cannot be "never" with rotation "strict": a rotated token must come back in the answer',
    ]);
  });

  it('is complete and frozen once checked, and loads again as it is', () => {
    expect(Object.isFrozen(filled.token.lifetime)).toBe(true);
    expect(defineProfile({ ...filled, checked: undefined } as ProfileInput)).toEqual(filled);
  });
});

describe("the repository's profiles, written without the standard", () => {
  /** tokenTypes as they are compared: without case (RFC 6749 §7.1). */
  const comparable = (p: CheckedProfile) => ({
    ...p,
    token: { ...p.token, tokenTypes: p.token.tokenTypes.map((t) => t.toLowerCase()) },
  });
  const unchanged = Object.keys(BEFORE).filter(
    (id) => !['zoho', 'salesforce', 'github', 'hubspot'].includes(id),
  );

  it.each(unchanged)('%s is the profile it was before issue 26, once filled in', (id) => {
    expect(comparable(PROFILES[id]!)).toEqual(comparable(BEFORE[id]!));
  });

  it('practice is the profile it was before issue 26, once filled in', () => {
    expect(comparable(practiceProfile)).toEqual(comparable(practiceBefore));
  });

  it.each(['zoho', 'salesforce'])('%s differs only where issue 26 gave it something to say', (id) => {
    const now = PROFILES[id]! as CheckedProfile & Record<string, unknown>;
    const before = BEFORE[id]!;
    const { connection, endpoints, token, ...rest } = comparable(now);
    const {
      connection: _none,
      endpoints: endpointsBefore,
      token: tokenBefore,
      ...restBefore
    } = comparable(before);
    expect(connection).toBeDefined();
    expect(_none).toBeUndefined();
    expect(rest).toEqual(restBefore);
    expect({ ...endpoints, authorize: 0, token: 0, oauthOther: 0 }).toEqual({
      ...endpointsBefore,
      authorize: 0,
      token: 0,
      oauthOther: 0,
    });
    expect({ ...token, lifetime: { ...token.lifetime, issuedAt: undefined } }).toEqual({
      ...tokenBefore,
      lifetime: { ...tokenBefore.lifetime, issuedAt: undefined },
    });
  });

  it("hubspot differs only by HubSpot's move to its 2026-03 OAuth API (token endpoint, introspect and revoke, RFC 6749 errors)", () => {
    const { endpoints, token, ...rest } = comparable(PROFILES.hubspot!);
    const { endpoints: endpointsBefore, token: tokenBefore, ...restBefore } = comparable(BEFORE.hubspot!);
    expect(rest).toEqual(restBefore);
    expect([endpointsBefore.token, endpoints.token]).toEqual(['/oauth/v1/token', '/oauth/2026-03/token']);
    expect(endpoints.oauthOther).toEqual(['/oauth/2026-03/token/introspect', '/oauth/2026-03/token/revoke']);
    expect({ ...endpoints, token: 0, oauthOther: 0 }).toEqual({
      ...endpointsBefore,
      token: 0,
      oauthOther: 0,
    });
    expect([token.errorCode, token.errorDescription, token.codes]).toEqual([
      'error',
      'error_description',
      undefined,
    ]);
    const fields = { errorCode: 0, errorDescription: 0, codes: 0 };
    expect({ ...token, ...fields }).toEqual({ ...tokenBefore, ...fields });
  });

  it('github differs only by its GraphQL family', () => {
    const { signals, ...rest } = comparable(PROFILES.github!);
    const { signals: before, ...restBefore } = comparable(BEFORE.github!);
    expect(signals.families?.map((f) => f.name)).toEqual(['graphql']);
    expect({ ...signals, families: undefined }).toEqual({ ...before, families: undefined });
    expect(rest).toEqual(restBefore);
  });
});
