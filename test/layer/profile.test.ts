// A profile that is wrong or contradicts itself fails when it is loaded, naming the field
// and why: never later, as a misread answer in somebody's Zap.
import { defineProfile, profileProblems, ProfileError, type Profile } from '../../layer';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';

/** A sound profile to break one field at a time (a copy of Practice's, unfrozen). */
function sound(): Profile {
  return JSON.parse(JSON.stringify(practiceProfile)) as Profile;
}

function problemsWith(change: (p: Profile) => void): string[] {
  const profile = sound();
  change(profile);
  return profileProblems(profile);
}

describe('defineProfile', () => {
  it('accepts every profile in the repository, frozen', () => {
    for (const profile of [practiceProfile, ...Object.values(PROFILES)]) {
      expect(profileProblems(profile)).toEqual([]);
      expect(Object.isFrozen(profile.signals.codes)).toBe(true);
    }
  });

  it('throws ProfileError naming the profile, the field and why', () => {
    const broken = sound();
    broken.token.rotation = { kind: 'grace' };
    expect(() => defineProfile(broken)).toThrow(ProfileError);
    expect(() => defineProfile(broken)).toThrow(
      /Profile "practice" cannot be used:\n {2}- token\.rotation\.graceSeconds: is needed with rotation "grace"/,
    );
  });

  it.each<[string, (p: Profile) => void, RegExp]>([
    ['an id that cannot prefix cache keys', (p) => (p.id = 'Practice API'), /^id: must be lowercase/],
    [
      'a plain-http production base',
      (p) => (p.endpoints.base = 'http://api.example.com'),
      /^endpoints\.base: must be https/,
    ],
    [
      'an endpoint that is neither a path nor https',
      (p) => (p.endpoints.token = 'ftp://x/token'),
      /^endpoints\.token: must be https/,
    ],
    [
      'an endpoint with a query',
      (p) => (p.endpoints.token = '/oauth/token?x=1'),
      /^endpoints\.token: must not carry a query/,
    ],
    [
      'the same variable for client id and secret',
      (p) => (p.client.secretEnv = p.client.idEnv),
      /^client\.secretEnv: is the same variable/,
    ],
    [
      'a lowercase variable name',
      (p) => (p.client.idEnv = 'client_id'),
      /^client\.idEnv: must be an environment variable name/,
    ],
    [
      'an unknown client authentication',
      (p) => ((p.client as { authMethod: string }).authMethod = 'jwt'),
      /^client\.authMethod/,
    ],
    ['a scope with a space', (p) => (p.authorization.scopes = ['a b']), /^authorization\.scopes/],
    [
      'a label for a scope never asked',
      (p) => (p.authorization.scopeLabels = { nope: 'Nope' }),
      /^authorization\.scopeLabels\.nope/,
    ],
    [
      'an extra parameter the layer sets',
      (p) => (p.authorization.extraParams = { state: 'x' }),
      /^authorization\.extraParams\.state: is set by the layer/,
    ],
    [
      'a body path that is not one',
      (p) => (p.signals.body.code = 'error..code'),
      /^signals\.body\.code: must be a body path/,
    ],
    [
      'codes without a place to read them',
      (p) => delete p.signals.body.code,
      /^signals\.body\.code: is needed/,
    ],
    [
      'a code mapped to no kind',
      (p) => ((p.signals.codes as Record<string, string>).x = 'expired'),
      /^signals\.codes\.x: must be one of/,
    ],
    [
      '401 meaning anything but refresh',
      (p) => (p.signals.statuses = { 401: 'scope' }),
      /^signals\.statuses\.401: cannot be anything but "refresh"/,
    ],
    [
      'a reset header without its unit',
      (p) => (p.signals.rateLimitHeaders = { remainingHeader: 'x-r', resetHeader: 'x-reset' }),
      /^signals\.rateLimitHeaders\.resetUnit: is needed/,
    ],
    [
      'an unknown token problem',
      (p) => (p.token.codes = { x: 'gone' as never }),
      /^token\.codes\.x: must be one of/,
    ],
    ['no token type', (p) => (p.token.tokenTypes = []), /^token\.tokenTypes/],
    [
      'no lifetime and nothing assumed',
      (p) => (p.token.lifetime = { field: null, unit: 'seconds', assumeSeconds: null }),
      /^token\.lifetime: says neither/,
    ],
    [
      'an unknown lifetime unit',
      (p) => ((p.token.lifetime as { unit: string }).unit = 'minutes'),
      /^token\.lifetime\.unit/,
    ],
    [
      'grace seconds without grace',
      (p) => (p.token.rotation = { kind: 'strict', graceSeconds: 60 }),
      /^token\.rotation\.graceSeconds: only applies/,
    ],
    [
      'rotation that never answers a refresh token',
      (p) => (p.token.refreshTokenInRefresh = 'never'),
      /^token\.refreshTokenInRefresh: cannot be "never" with rotation "strict"/,
    ],
    [
      'keeping a field the layer keeps',
      (p) => (p.token.keep = ['scope']),
      /^token\.keep: "scope" is kept by the layer already/,
    ],
    ['a token prefix that matches words', (p) => (p.tokenPrefixes = ['p']), /^tokenPrefixes\[0\]/],
  ])('refuses %s', (_what, change, expected) => {
    const problems = problemsWith(change);
    expect(problems.some((problem) => expected.test(problem))).toBe(true);
  });

  it('lists every problem at once, not only the first', () => {
    const problems = problemsWith((p) => {
      p.name = '';
      p.token.tokenTypes = [];
      p.endpoints.baseEnv = 'base url';
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['name', 'endpoints.baseEnv', 'token.tokenTypes']);
  });

  it('refuses what is not a profile at all', () => {
    expect(profileProblems(null)).toEqual(['the profile is not an object']);
    expect(profileProblems({}).length).toBeGreaterThan(5);
  });
});
