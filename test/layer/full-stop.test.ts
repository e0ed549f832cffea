// Messages built around the API's text, or a profile's advice, end with one full stop, not
// two (issue 26, 3: "Something is off.." was seen). Fixed where the sentence is made.
import { createLayer, defineProfile, type ResponseLike } from 'zapier-oauth-layer/internal';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';

const answer = (status: number, body: unknown): ResponseLike => ({
  status,
  header: () => undefined,
  body,
  content: JSON.stringify(body),
});

describe('one full stop', () => {
  it("ends a field's text that has its own full stop with no second one (Tallybook's INVALID_FIELD)", () => {
    const tallybook = createLayer(PROFILES.tallybook!);
    const signal = tallybook.classify(
      answer(422, {
        status: 'fail',
        error: { kind: 'INVALID_FIELD', field: 'amount', detail: 'Must be positive.' },
      }),
    );
    expect(tallybook.messageFor(signal, [])).toBe(
      'Tallybook rejected the input. amount: Must be positive. Fix these fields in the Zap step and try again.',
    );
  });

  it('lists fields without a stop inside the list', () => {
    const practice = createLayer(practiceProfile);
    const fields = { email: 'is not an email address.', name: ['is required.', 'is too short'] };
    const signal = practice.classify(
      answer(422, { error: { code: 'validation_failed', message: 'm', details: { fields } } }),
    );
    expect(practice.messageFor(signal, [])).toBe(
      'Practice rejected the input. email: is not an email address; name: is required; is too short. Fix these fields in the Zap step and try again.',
    );
  });

  it("adds one to a profile's advice written without it, and none to advice written with it", () => {
    const advised = (advice: Record<string, string>) =>
      createLayer(defineProfile({ ...practiceProfile, checked: undefined, advice } as never));
    const forbidden = answer(403, { error: { code: 'forbidden', message: 'Nope.' } });
    const conflict = answer(409, {
      error: { code: 'conflict', message: 'Taken.', details: { existing_id: 'c1' } },
    });
    for (const advice of [
      { forbidden: 'Ask an owner', conflict: 'Update it instead' },
      { forbidden: 'Ask an owner.', conflict: 'Update it instead.' },
    ]) {
      const layer = advised(advice);
      expect(layer.messageFor(layer.classify(forbidden), [])).toMatch(/"Nope\." Ask an owner\.$/);
      expect(layer.messageFor(layer.classify(conflict), [])).toMatch(/"Taken\." Update it instead\.$/);
    }
  });

  it('never writes two full stops in a token endpoint message built around advice', () => {
    const layer = createLayer(
      defineProfile({
        ...practiceProfile,
        checked: undefined,
        advice: {
          deadGrant: 'The grant was revoked.',
          authorizationCode: 'Codes work once.',
          offlineAccess: 'keep offline access approved.',
          clientRegistration: 'the client registered in Practice.',
        },
      } as never),
    );
    for (const [grant, body] of [
      ['refresh_token', { error: 'invalid_grant', error_description: 'Expired.' }],
      ['authorization_code', { error: 'invalid_grant', error_description: 'Used.' }],
      ['authorization_code', { error: 'invalid_client' }],
    ] as const) {
      const outcome = layer.normaliseTokenResponse(
        { status: 400, body },
        { grant, nowSeconds: 1_800_000_000, secrets: [] },
      );
      expect(outcome.ok ? '' : outcome.message).not.toMatch(/\.\s*[.:]/);
    }
    const missing = layer.normaliseTokenResponse(
      { status: 200, body: { access_token: 'pat_1' } },
      { grant: 'authorization_code', nowSeconds: 1_800_000_000, secrets: [] },
    );
    expect(missing.ok ? '' : missing.message).toMatch(/and keep offline access approved\.$/);
  });
});
