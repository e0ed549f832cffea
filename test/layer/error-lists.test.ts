// Error lists (issue 26, 3): an API that answers several errors at once is read whole, not by
// its first error: the list means its most significant known code, and the message reports
// every error, named by its field.
import {
  createLayer,
  defineProfile,
  SIGNAL_KINDS,
  type ProfileInput,
  type ResponseLike,
} from 'zapier-oauth-layer/internal';

// Zendesk Sell's error envelope (developer.zendesk.com/api-reference/sales-crm/errors/):
// {"errors": [{"error": {"resource", "field", "code", "message", "details"}, "meta": {…}}], "meta": {…}}
const sell: ProfileInput = {
  id: 'sell',
  name: 'Zendesk Sell',
  troubleshooting: 'https://developer.zendesk.com/api-reference/sales-crm/errors/',
  endpoints: {
    base: 'https://api.getbase.com',
    baseEnv: 'SELL_BASE_URL',
    authorize: '/oauth2/authorize',
    token: '/oauth2/token',
    api: '/v2/',
  },
  client: { idEnv: 'SELL_CLIENT_ID', secretEnv: 'SELL_CLIENT_SECRET' },
  authorization: { scopes: ['read', 'write'], omitScope: true, pkce: 'none' },
  signals: {
    body: { list: 'errors', code: 'error.code', message: 'error.message', field: 'error.field' },
    codes: {
      invalid_token: 'refresh',
      token_revoked: 'revoked',
      insufficient_scope: 'scope',
      rate_limit: 'throttled',
      forbidden: 'forbidden',
      invalid: 'validation',
      blank: 'validation',
      taken: 'conflict',
      not_found: 'not_found',
    },
  },
  token: { rotation: { kind: 'none' } },
};
const layer = createLayer(defineProfile(sell));

const error = (code: string, message: string, field?: string) => ({
  error: { resource: 'lead', code, message, details: 'Detailed.', ...(field ? { field } : {}) },
  meta: { type: 'error' },
});
const answer = (status: number, ...errors: unknown[]): ResponseLike => {
  const body = { errors, meta: { type: 'errors', http_status: `${status}` } };
  return { status, header: () => undefined, body, content: JSON.stringify(body) };
};

describe('a list of errors', () => {
  it('means its most significant known code, wherever it is in the list', () => {
    const signal = layer.classify(
      answer(422, error('blank', "can't be blank", 'last_name'), error('invalid_token', 'Token expired.')),
    );
    expect(signal).toMatchObject({
      kind: 'refresh',
      code: 'invalid_token',
      source: 'HTTP 422 invalid_token',
    });
  });

  it.each<[string[], string]>([
    [['forbidden', 'throttled', 'revoked', 'refresh'], 'revoked'],
    [['forbidden', 'scope', 'refresh'], 'refresh'],
    [['validation', 'forbidden', 'throttled'], 'throttled'],
    [['server', 'unavailable', 'bad_request'], 'bad_request'],
    [['error', 'server'], 'server'],
  ])('reads %j as %s', (kinds, expected) => {
    const codes = Object.fromEntries(kinds.map((kind) => [kind.toUpperCase(), kind]));
    const profile = defineProfile({ ...sell, signals: { ...sell.signals, codes } as never });
    const errors = kinds.map((kind) => error(kind.toUpperCase(), kind));
    expect(createLayer(profile).classify(answer(400, ...errors)).kind).toBe(expected);
  });

  // Each kind beats every kind after it in SIGNAL_KINDS: written once, there.
  it.each(
    SIGNAL_KINDS.filter((k) => !['ok', 'bad_response', 'error'].includes(k)).flatMap((higher, i, all) =>
      all.slice(i + 1).map((lower) => [higher, lower] as const),
    ),
  )('%s outranks %s', (higher, lower) => {
    const profile = defineProfile({ ...sell, signals: { ...sell.signals, codes: { A: higher, B: lower } } });
    const read = createLayer(profile).classify(answer(400, error('B', 'b'), error('A', 'a')));
    expect(read.kind).toBe(higher);
  });

  it('reports every error, each named by its field, with one full stop each', () => {
    const signal = layer.classify(
      answer(
        422,
        error('blank', "can't be blank.", 'last_name'),
        error('invalid', 'is not an email address', 'email'),
        error('invalid', 'The lead is archived.'),
      ),
    );
    expect(signal.kind).toBe('validation');
    expect(signal.fields).toEqual({ last_name: "can't be blank.", email: 'is not an email address' });
    expect(signal.apiMessage).toBe(
      "last_name: can't be blank; email: is not an email address; The lead is archived",
    );
    expect(layer.messageFor(signal, [])).toBe(
      "Zendesk Sell rejected the input. last_name: can't be blank; email: is not an email address. Fix these fields in the Zap step and try again.",
    );
  });

  it('joins two errors of one field', () => {
    const signal = layer.classify(
      answer(422, error('blank', 'is required', 'name'), error('invalid', 'is too long', 'name')),
    );
    expect(signal.fields).toEqual({ name: 'is required; is too long' });
  });

  it("quotes every error of a list that is not a validation's", () => {
    const signal = layer.classify(
      answer(409, error('taken', 'Email is taken.', 'email'), error('taken', 'Phone is taken.')),
    );
    expect(layer.messageFor(signal, [])).toBe(
      'Zendesk Sell reported a conflict (HTTP 409 taken). Zendesk Sell says: "email: Email is taken; Phone is taken"',
    );
  });

  it('reads a body without the list as a list of itself', () => {
    const body = { error: { code: 'invalid_token', message: 'expired' } };
    expect(
      layer.classify({ status: 403, header: () => undefined, body, content: JSON.stringify(body) }),
    ).toMatchObject({
      kind: 'refresh',
      apiMessage: 'expired',
    });
  });

  it('an empty list names nothing: the status decides', () => {
    expect(layer.classify(answer(404)).kind).toBe('not_found');
  });
});
