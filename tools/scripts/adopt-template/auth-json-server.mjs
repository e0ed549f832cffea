// A stand-in for auth-json-server.zapier-staging.com, the API of zapier-platform's oauth2
// template, for its own test (src/test/authentication.test.ts) on a machine without that host:
// CI reaches the npm registry and nothing else. Preloaded into vitest by adopt-template.mjs
// (NODE_OPTIONS=--import), so that the template runs unchanged; nothing of it is in the template.
//
// Written from the template's code, never from the layer's profile: where the template sends
// each request and with what, and what its test expects back. It answers only requests that
// carry what the template sends (the client in the form body, the grant, the code or refresh
// token; the bearer token on /me), and anything else on its host with an error, so that an
// adoption that sends something else fails the test.
//
// Each grant only where the template sends it: codes to /oauth/access-token, refresh tokens to
// /oauth/refresh-token (the profile's endpoints.refresh); elsewhere unsupported_grant_type.
import { URLSearchParams } from 'node:url';
import nock from 'nock';

const ORIGIN = 'https://auth-json-server.zapier-staging.com';
// What the template's test expects back (src/test/authentication.test.ts).
const TOKENS = { access_token: 'a_token', refresh_token: 'a_refresh_token' };
// The test reads username "Bret": JSONPlaceholder's user 1, which auth-json-server serves.
const ME = { id: 1, name: 'Leanne Graham', username: 'Bret', email: 'Sincere@april.biz' };

/** A token request as the template sends it: a form with the client, the grant and its one value. */
function tokenAnswer(grant, valueField, expected) {
  return (_uri, body) => {
    const form = new URLSearchParams(typeof body === 'string' ? body : '');
    // The test sets CLIENT_ID and CLIENT_SECRET when it loads, after this file: read them per request.
    const client = [process.env.CLIENT_ID, process.env.CLIENT_SECRET];
    if (!client[0] || form.get('client_id') !== client[0] || form.get('client_secret') !== client[1])
      return [401, { error: 'invalid_client' }];
    if (form.get('grant_type') !== grant) return [400, { error: 'unsupported_grant_type' }];
    if (form.get(valueField) !== expected) return [400, { error: 'invalid_grant' }];
    return [200, TOKENS];
  };
}

// Only in vitest's processes: npm and tsc, which NODE_OPTIONS also reaches, need none of it.
if (process.env.VITEST) {
  nock(ORIGIN)
    .persist()
    .post('/oauth/access-token')
    .reply(tokenAnswer('authorization_code', 'code', 'one_time_code'))
    .post('/oauth/refresh-token')
    .reply(tokenAnswer('refresh_token', 'refresh_token', TOKENS.refresh_token))
    .get('/me')
    .reply(function () {
      return this.req.headers.authorization === `Bearer ${TOKENS.access_token}`
        ? [200, ME]
        : [401, { error: 'invalid_token' }];
    });
  // Nothing else leaves the machine: a request the template does not make fails, not hangs. The
  // conformance kit's stand-in (docs/conformance-kit.md), in the same vitest run when the whole
  // suite runs, is on 127.0.0.1.
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
}
