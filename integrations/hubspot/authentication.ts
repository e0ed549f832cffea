// HubSpot's OAuth 2.0: the layer's, bound to HubSpot's profile, with a test and label of our own.
import { Readable } from 'node:stream';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { hubspot } from './api';

/**
 * POST /oauth/2026-03/token/introspect (developers.hubspot.com/docs/api-reference/latest/
 * authentication/oauth-tokens/token-introspect): the client and the token in a form body. It
 * replaces GET /oauth/v1/access-tokens/{token}, which put the token in the URL and is sunset on
 * 2027-02-16 (developers.hubspot.com/changelog/v1-oauth-api-deprecation).
 */
export const INTROSPECT = '/oauth/2026-03/token/introspect';

/** The fields of HubSpot's introspection answer the label uses (it also repeats the token). */
interface Introspection {
  active?: boolean;
  user?: string;
  hub_domain?: string;
  hub_id?: number;
}

/**
 * Who and which account the connection's access token belongs to. The form goes as a stream and
 * the answer is read raw: core's HTTP log then records neither body ("<streaming data>"), so the
 * token and the client secret they carry never depend on core's scrubber.
 */
async function introspect(z: ZObject, bundle: Bundle): Promise<Introspection> {
  const timeoutMs = hubspot.requestTimeoutMs();
  const url = hubspot.url(z, INTROSPECT);
  const secrets = hubspot.secretsOf(bundle);
  let status: number;
  let text: string;
  try {
    const { clientId, clientSecret } = hubspot.endpoints.clientCredentials();
    const form = Buffer.from(
      new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        token: String(bundle.authData.access_token ?? ''),
        token_type_hint: 'access_token',
      }).toString(),
      'utf8',
    );
    const response = await z.request({
      url,
      method: 'POST',
      timeout: timeoutMs,
      headers: {
        // With its charset, core leaves the stream alone (src/http-middlewares/before/prepare-request.js).
        'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8',
        'Content-Length': String(form.length),
        Accept: 'application/json',
      },
      body: Readable.from([form]),
      skipThrowForStatus: true,
      raw: true,
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw (
      hubspot.failureBelowHttp(z, error, {
        method: 'POST',
        what: `POST ${INTROSPECT}`,
        host: new URL(url).hostname,
        timeoutMs,
        advice: 'Try again in a few minutes; if it keeps happening, HubSpot may be down.',
      }) ?? error
    );
  }
  let answer: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') answer = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: told below by its status.
  }
  if (status < 200 || status >= 300 || answer.active !== true) {
    // [v3-errors] RFC 6749's code ("invalid_client"), when it is one: never the body itself.
    const code = typeof answer.error === 'string' && /^[a-z_]{1,40}$/.test(answer.error) ? answer.error : '';
    const why =
      status >= 200 && status < 300
        ? 'says the access token is not active'
        : `refused to describe the access token (HTTP ${status}${code ? ` ${code}` : ''})`;
    const owner =
      code === 'invalid_client'
        ? ` The integration owner must check ${hubspot.profile.client.idEnv} and ${hubspot.profile.client.secretEnv}.`
        : ' Try again in a few minutes; if it keeps happening, reconnect your HubSpot account.';
    throw hubspot.ownMessageOnly(
      new z.errors.Error(
        `HubSpot's token introspection ${why}.${owner}`,
        'introspection_refused',
        status >= 200 && status < 300 ? 500 : status,
      ),
      secrets,
    );
  }
  return answer as Introspection;
}

export default hubspot.authentication({
  test: async (z, bundle) => {
    // A CRM call first, through the layer: an expired token is refreshed, a missing scope named.
    await hubspot.request(z, { path: '/crm/v3/objects/contacts', params: { limit: 1 }, bundle });
    // Who and which account, for the label (HubSpot's introspection: the token in a form body).
    const me = await introspect(z, bundle);
    // Never the answer as a whole: it repeats the access token.
    return { user: me.user, hub_domain: me.hub_domain, hub_id: me.hub_id };
  },
  connectionLabel: '{{user}} ({{hub_domain}})',
});
