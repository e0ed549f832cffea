// A profile that is wrong or contradicts itself fails when it is loaded, naming the field
// and why: never later, as a misread answer in somebody's Zap.
import { defineProfile, profileProblems, ProfileError, type Profile } from 'zapier-oauth-layer/internal';
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
      /^endpoints\.token: must be https:\/\/ or a path starting with "\/", without a query/,
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
    [
      'a token header that is Authorization (authorizationScheme says how that one is written)',
      (p) => (p.endpoints.tokenHeader = 'Authorization'),
      /^endpoints\.tokenHeader: must be a header name other than Authorization/,
    ],
    [
      'a rate-limit status that is neither 200 nor an error',
      (p) => (p.signals.throttledWithRetryAfter = [204]),
      /^signals\.throttledWithRetryAfter\[0\]: must be HTTP 200 or an error status other than 401/,
    ],
  ])('refuses %s', (_what, change, expected) => {
    const problems = problemsWith(change);
    expect(problems.some((problem) => expected.test(problem))).toBe(true);
  });

  describe('a careless profile is refused at load, naming the field and what was expected', () => {
    /** What defineProfile throws for the sound profile with `changes` (dotted path -> value), or 'loaded'. */
    function loadWith(changes: Record<string, unknown>): unknown {
      const profile = sound() as unknown as Record<string, unknown>;
      for (const [path, value] of Object.entries(changes)) {
        const keys = path.split('.');
        let node = profile;
        for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
        node[keys[keys.length - 1]!] = value;
      }
      try {
        defineProfile(profile as unknown as Profile);
        return 'loaded';
      } catch (error) {
        return error;
      }
    }
    const firstScope = practiceProfile.authorization.scopes[0]!;

    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        'a string where the list of other OAuth endpoints belongs',
        { 'endpoints.oauthOther': '/oauth/revoke' },
        /- endpoints\.oauthOther: must be a list, not "\/oauth\/revoke"/,
      ],
      ['a string where token prefixes belong', { tokenPrefixes: 'pat_' }, /- tokenPrefixes: must be a list/],
      [
        'a string where the rate-limit statuses belong',
        { 'signals.rateLimitHeaders': { remainingHeader: 'x-ratelimit-remaining', statuses: '403' } },
        /- signals\.rateLimitHeaders\.statuses: must be a list, not "403"/,
      ],
      [
        'a string where the kept fields belong (it passed the apiFrom check through String.includes)',
        {
          'token.keep': 'instance_url',
          'endpoints.apiFrom': { field: 'instance_url', hosts: ['*.my.salesforce.com'] },
        },
        /- token\.keep: must be a list, not "instance_url"/,
      ],
      [
        'a status key with a space, which no answer ever matches',
        { 'signals.statuses': { ' 409': 'conflict' } },
        /- signals\.statuses\[" 409"\]: must be an HTTP status in three digits \(300-599\)/,
      ],
      [
        'a status key in hexadecimal',
        { 'signals.statuses': { '0x1f7': 'unavailable' } },
        /- signals\.statuses\.0x1f7: must be an HTTP status in three digits/,
      ],
      [
        'a misspelt key',
        { 'signals.body.mesage': 'error.message' },
        /- signals\.body\.mesage: is not a field of signals\.body; did you mean "message"\?/,
      ],
      [
        'a misspelt top-level key',
        { troubleshootng: 'docs/troubleshooting.md' },
        /- troubleshootng: is not a field of the profile; did you mean "troubleshooting"\?/,
      ],
      [
        'a key in the wrong case',
        { 'endpoints.baseENV': 'BASE_URL' },
        /- endpoints\.baseENV: is not a field of endpoints; did you mean "baseEnv"\?/,
      ],
      [
        'a key that is nothing like a field, with the fields there are',
        { 'token.lifetime.fallback': 3600 },
        /- token\.lifetime\.fallback: is not a field of token\.lifetime \(it has field, unit, assumeSeconds, issuedAt\)/,
      ],
      [
        'an unknown key in advice',
        { 'advice.forbiden': 'Ask an admin.' },
        /- advice\.forbiden: is not a field of advice; did you mean "forbidden"\?/,
      ],
      [
        'a javascript: troubleshooting link',
        { troubleshooting: 'javascript:alert(document.cookie)' },
        /- troubleshooting: must be an https:\/\/ URL or a path in the repository/,
      ],
      [
        'a data: troubleshooting link',
        { troubleshooting: 'data:text/html,<script>alert(1)</script>' },
        /- troubleshooting: must be an https:\/\/ URL or a path in the repository/,
      ],
      [
        'a protocol-relative troubleshooting link',
        { troubleshooting: '//evil.example/help' },
        /- troubleshooting: must be an https:\/\/ URL or a path in the repository/,
      ],
      [
        'a number where a section belongs',
        { 'signals.rateLimitHeaders': 403 },
        /- signals\.rateLimitHeaders: must be an object, not 403/,
      ],
      [
        'a list where the codes belong',
        { 'token.codes': ['invalid_grant'] },
        /- token\.codes: must be an object/,
      ],
      [
        'a number where a scope label belongs',
        { 'authorization.scopeLabels': { [firstScope]: 42 } },
        /- authorization\.scopeLabels\S+: must be a non-empty string, not 42/,
      ],
    ])('%s', (_what, changes, expected) => {
      const thrown = loadWith(changes);
      expect(thrown).toBeInstanceOf(ProfileError);
      expect((thrown as Error).message).toMatch(expected);
    });

    it('describes a value JSON cannot write (a BigInt, a cycle) by its type, never with a TypeError', () => {
      const cycle: unknown[] = [];
      cycle.push(cycle);
      const thrown = loadWith({ 'token.lifetime.assumeSeconds': BigInt(3600), 'signals.codes': cycle });
      expect(thrown).toBeInstanceOf(ProfileError);
      expect((thrown as Error).message).toContain(
        'token.lifetime.assumeSeconds: must be a positive whole number of seconds, not bigint',
      );
      expect((thrown as Error).message).toContain('signals.codes: must be an object, not a list');
    });

    it('names every unknown key, nested ones included', () => {
      const thrown = loadWith({ 'signals.body.mesage': 'x', 'token.rotation.graceSecond': 5 });
      expect(thrown).toBeInstanceOf(ProfileError);
      expect((thrown as Error).message).toMatch(/^Profile "practice" cannot be used:\n/);
      expect((thrown as Error).message).toContain('- signals.body.mesage:');
      expect((thrown as Error).message).toContain('- token.rotation.graceSecond:');
    });
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
