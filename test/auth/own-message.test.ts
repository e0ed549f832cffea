// CONTRACT §6: "an error a user can see carries no dump of the step's input". Core appends
// "What happened: Executing <method> with bundle {…}" to every error without doNotContextify
// (src/middleware.js); for REST hooks that bundle holds subscribeData and its webhook secret.
// These run through createAppTester, i.e. through core's app middleware, where the dump is added.
import { blankRefreshMessage } from 'zapier-oauth-layer/internal';
import { practice } from '../../practice/layer';
import { at } from '../helpers';
import { api, appTester, failureOf, liveAuth, useTestEnvironment, WWW_EXPIRED } from './support';

useTestEnvironment();

const WEBHOOK_SECRET = 'whsec_0123456789abcdef0123456789abcdef';
const INPUT_MARK = 'Input-Value-That-Must-Not-Leak-7731';

function operation(kind: 'triggers' | 'creates', key: string, name: string) {
  return at(`${kind}.${key}.operation.${name}`);
}

function expectOwnMessageOnly(error: { message: string; stack?: string }) {
  expect(error.message).not.toContain('What happened');
  expect(error.message).not.toContain('with bundle');
  expect(error.message).not.toContain(WEBHOOK_SECRET);
  expect(error.message).not.toContain(INPUT_MARK);
  expect(String(error.stack)).not.toContain(WEBHOOK_SECRET);
}

describe('errors carry their own message only', () => {
  it('unsubscribing a REST hook on an expired token (K1) raises RefreshAuthError without the webhook secret', async () => {
    const scope = api()
      .delete('/api/v1/webhooks/wh_42')
      .reply(
        403,
        { error: { code: 'token_expired', message: 'The access token expired' } },
        {
          'WWW-Authenticate': WWW_EXPIRED,
        },
      );
    const error = await failureOf(
      appTester(operation('triggers', 'new_client', 'performUnsubscribe'), {
        authData: liveAuth(),
        inputData: { note: INPUT_MARK },
        subscribeData: { id: 'wh_42', secret: WEBHOOK_SECRET, target_url: 'https://hooks.zapier.com/x' },
      } as Parameters<typeof appTester>[1]),
    );
    expect(error.name).toBe('RefreshAuthError');
    expect(error.message).toMatch(/^The Practice access token expired or was rejected/);
    expectOwnMessageOnly(error);
    expect(scope.isDone()).toBe(true);
  });

  it("gives core's blank RefreshAuthError for a 401 a message of its own, and no bundle", async () => {
    const scope = api()
      .post('/api/v1/clients')
      .reply(401, { error: { code: 'invalid_token' } });
    const error = await failureOf(
      appTester(operation('creates', 'create_client', 'perform'), {
        authData: liveAuth(),
        inputData: { name: INPUT_MARK },
      }),
    );
    expect(error.name).toBe('RefreshAuthError');
    expect(error.message).toBe(blankRefreshMessage(practice.profile));
    expectOwnMessageOnly(error);
    expect(scope.isDone()).toBe(true);
  });

  it('refreshes before expiry with a RefreshAuthError that carries no input', async () => {
    const error = await failureOf(
      appTester(operation('creates', 'create_client', 'perform'), {
        authData: liveAuth({ expires_at: Math.floor(Date.now() / 1000) - 5 }),
        inputData: { name: INPUT_MARK },
      }),
    );
    expect(error.name).toBe('RefreshAuthError');
    expectOwnMessageOnly(error);
  });

  it('raises ExpiredAuthError for a dead grant without a bundle dump', async () => {
    const scope = api()
      .post('/oauth/token')
      .reply(400, { error: 'invalid_grant', error_description: 'revoked' });
    const error = await failureOf(
      // The app's own definition (index.ts), as core runs it, not the module before wiring.
      appTester(at('authentication.oauth2Config.refreshAccessToken'), {
        authData: liveAuth(),
        inputData: { note: INPUT_MARK },
      }),
    );
    expect(error.name).toBe('ExpiredAuthError');
    expectOwnMessageOnly(error);
    expect(scope.isDone()).toBe(true);
  });

  it("keeps the bundle out of core's own plain errors too (z.cursor without Zapier's RPC)", async () => {
    // Page 2 of a dropdown asks z.cursor, which outside Zapier has no RPC to ask: core throws a
    // plain Error ("No deploy key found …") that lacks doNotContextify.
    const error = await failureOf(
      appTester(at('triggers.clients.operation.perform'), {
        authData: liveAuth(),
        inputData: { note: INPUT_MARK },
        meta: { page: 1 },
      } as Parameters<typeof appTester>[1]),
    );
    expect(error.name).toBe('Error');
    expectOwnMessageOnly(error);
  });
});
