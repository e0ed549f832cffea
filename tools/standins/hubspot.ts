// HubSpot stand-in: the OAuth v1 token endpoint and the CRM v3 contacts list, answered the way
// HubSpot's documentation (and the bodies it is quoted returning) show. Sources (checked 2026):
//   [tokens]   https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide
//              (POST /oauth/v1/token, URL-form body with client_id/client_secret; expires_in in seconds)
//   [expiry]   HubSpot access tokens live 30 minutes (expires_in 1800): developers.hubspot.com OAuth guide;
//              401 body quoted by useparagon.com/integration-error-solutions/hubspot-the-oauth-token-used-to-make-this-call-expired
//   [errors]   https://developers.hubspot.com/docs/api-reference/error-handling (401 invalid auth,
//              403 missing permissions/scopes, 429 limits; every field optional, status/message/
//              correlationId/category)
//   [scopes]   403 MISSING_SCOPES body as returned by the API: HubSpot/hubspot-api-nodejs#50 and #268
//   [limits]   https://developers.hubspot.com/docs/api/usage-details (429 body with errorType
//              RATE_LIMIT and policyName; X-HubSpot-RateLimit-* headers)
//   [refresh]  dead refresh token: 400 BAD_REFRESH_TOKEN (nango.dev/blog/hubspot-oauth-bad-refresh-token;
//              HubSpot's v1/v3 token docs add the RFC 6749 error/error_description pair)
//   [authn]    401 INVALID_AUTHENTICATION "Authentication credentials not found…": HubSpot/hubspot-api-nodejs#432
// For integrations/hubspot's end-to-end tests, three more endpoints (routes below):
//   [contacts] https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide
//              (POST /crm/v3/objects/contacts with {"properties": {…}}: 201 with the new object; at least
//              one of email, firstname, lastname; crm.objects.contacts.write)
//   [conflict] 409 {"status":"error","message":"Contact already exists. Existing ID: 37765128953",
//              "correlationId":…,"category":"CONFLICT"}: HubSpot/hubspot-api-nodejs#545, HubSpot/hubspot-api-python#51
//   [invalid]  400 category VALIDATION_ERROR ([errors]); a bad email's message is "Property values were not
//              valid: [{\"isValid\":false,\"message\":\"Email address … is invalid\",\"error\":\"INVALID_EMAIL\",
//              \"name\":\"email\"}]", as clients log it from this endpoint (the message for a contact with
//              no email and no name is the stand-in's wording)
//   [search]   https://developers.hubspot.com/docs/api-reference/legacy/crm/search-the-crm
//              (POST /crm/v3/objects/contacts/search: sorts [{propertyName, direction}], limit up to 200,
//              answers {total, results, paging}; default properties createdate, email, firstname,
//              hs_object_id, lastmodifieddate, lastname). The list (GET, the probe) takes limit, after,
//              properties, associations and archived, and no sort ([contacts]).
//   [v1-sunset] https://developers.hubspot.com/changelog/v1-oauth-api-deprecation — POST /oauth/v1/token,
//              GET /oauth/v1/access-tokens/{token}, GET and DELETE /oauth/v1/refresh-tokens/{token} are deprecated and
//              "will remain accessible until February 16th, 2027"; their replacements are POST /oauth/2026-03/token,
//              POST /oauth/2026-03/token/introspect and POST /oauth/2026-03/token/revoke
//   [v3-errors] https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses —
//              errors now carry RFC 6749 error and error_description beside status and message, e.g.
//              {"error":"invalid_grant","error_description":"refresh token is invalid, expired or revoked",
//              "status":"BAD_REFRESH_TOKEN","message":"refresh token is invalid, expired or revoked"}; "These responses
//              will be reflected in both the v1 and v3 OAuth API endpoints" (so v1 refuses with the same pair here);
//              "There are no changes to the scope, app settings, or the OAuth install process"; credentials "in the
//              request body, never in the URL"
//   [migrate]  https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide —
//              swap /oauth/v1/token for /oauth/2026-03/token, "Ensure all parameters are provided as form-encoded body
//              fields, not as query parameters"; the token endpoint answers as v1 does (access_token, expires_in)
//   [introspect] https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/token-introspect —
//              POST /oauth/2026-03/token/introspect, form client_id, client_secret, token, token_type_hint; answers
//              token_use, active, token, hub_id, user_id, client_id, app_id, scopes, signed_access_token, expires_in,
//              is_private_distribution, token_type, user, hub_domain
//   [metadata] https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/get-oauth-token-metadata
//              (GET /oauth/v1/access-tokens/{token}, no Authorization header: token, user, hub_domain,
//              scopes, hub_id, app_id, expires_in, user_id, token_type)
import {
  authorizationToken,
  randomToken,
  randomUuid,
  startStandIn,
  type ProviderSpec,
  type Reply,
  type Route,
  type StandIn,
  type StartOptions,
} from 'zapier-oauth-layer/standin';

const PORTAL = 62515;
const CLIENT = { id: '5fa2a6d1-7c1e-4f4b-9a4a-0f0c4d2b8e11', secret: '3c8f2a56-0b9e-4d55-8f31-6a2b9d0c7e44' };

const hubspotError = (
  status: number,
  body: Record<string, unknown>,
  headers?: Record<string, string>,
): Reply => ({
  status,
  headers,
  json: { status: 'error', ...body, correlationId: randomUuid() },
});

/** "The OAuth token used to make this call expired 5 minute(s) ago." */
function expiredAgo(nowMs: number, expiresAtMs: number): string {
  const seconds = Math.max(0, Math.floor((nowMs - expiresAtMs) / 1000));
  if (seconds < 60) return `${seconds} second(s)`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minute(s)`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} hour(s)`;
  return `${Math.floor(seconds / 86400)} day(s)`;
}

const tokenError = (status: string, message: string, oauthError?: string): Reply => ({
  status: 400,
  json:
    oauthError === undefined
      ? { status, message }
      : { status, message, error: oauthError, error_description: message },
});

/** The date-versioned token endpoint ([v1-sunset]); v1 stays at spec.tokenPath. */
export const TOKEN_2026_03 = '/oauth/2026-03/token';

/**
 * [v1-sunset] v1 "will remain accessible until February 16th, 2027". From then on (the start of
 * that day in UTC: HubSpot names no hour) the stand-in answers every /oauth/v1/ path as one it does
 * not know, 404: what HubSpot will answer is not documented, and that 404 is the stand-in's assumption.
 */
export const V1_SUNSET_MS = Date.parse('2027-02-16T00:00:00Z');

/**
 * [v3-errors] every refusal, on v1 and 2026-03 alike ("These responses will be reflected in both the v1
 * and v3 OAuth API endpoints"), with its RFC 6749 pair beside HubSpot's own status and message.
 */
const RFC_ERROR: Record<string, string> = {
  BAD_REFRESH_TOKEN: 'invalid_grant',
  BAD_AUTH_CODE: 'invalid_grant',
  BAD_REDIRECT_URI: 'invalid_grant',
  BAD_CLIENT_ID: 'invalid_client',
  BAD_CLIENT_SECRET: 'invalid_client',
  BAD_GRANT_TYPE: 'unsupported_grant_type',
};
const tokenErrorOf = (status: string, message: string): Reply =>
  tokenError(status, message, RFC_ERROR[status]);

const rateLimitBody = (policy: 'TEN_SECONDLY_ROLLING' | 'DAILY'): Reply =>
  hubspotError(
    429,
    {
      message:
        policy === 'DAILY'
          ? 'You have reached your daily limit.'
          : 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: policy,
      requestId: randomUuid(),
    },
    // [limits] HubSpot sends its own rate-limit headers, not Retry-After.
    policy === 'DAILY'
      ? { 'x-hubspot-ratelimit-daily': '250000', 'x-hubspot-ratelimit-daily-remaining': '0' }
      : {
          'x-hubspot-ratelimit-interval-milliseconds': '10000',
          'x-hubspot-ratelimit-max': '100',
          'x-hubspot-ratelimit-remaining': '0',
        },
  );

interface Contact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: false;
}

function contact(id: string, at: string, properties: Record<string, string>): Contact {
  return {
    id,
    properties: { ...properties, createdate: at, lastmodifieddate: at, hs_object_id: id },
    createdAt: at,
    updatedAt: at,
    archived: false,
  };
}

const DEFAULT_PROPERTIES = [
  'createdate',
  'email',
  'firstname',
  'hs_object_id',
  'lastmodifieddate',
  'lastname',
];
const APP_ID = 1234567;
// Good enough to tell a typo from an address; HubSpot's own check is stricter and undocumented.
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** One contact as an answer carries it: only the properties asked for (or the defaults). */
function shown(c: Contact, asked: unknown): Contact {
  const names = Array.isArray(asked) && asked.length > 0 ? asked.map(String) : DEFAULT_PROPERTIES;
  const properties: Record<string, string> = {};
  for (const name of names) {
    const value = c.properties[name];
    if (value !== undefined) properties[name] = value;
  }
  return { ...c, properties };
}

const field = (body: unknown, key: string): unknown =>
  body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;

/** The CRM's contacts (two to start with) and the routes that read and write them. */
function contactsOf(asked: OAuthRequests): { list(): Contact[]; routes: Route[] } {
  const contacts: Contact[] = [
    contact('51', '2026-01-05T10:00:00.000Z', { email: 'ada@example.com', firstname: 'Ada' }),
    contact('52', '2026-01-07T10:00:00.000Z', { email: 'alan@example.com', firstname: 'Alan' }),
  ];
  let nextId = 101;

  // [contacts] [conflict] [invalid]
  const create: Route = {
    method: 'POST',
    path: /^\/crm\/v3\/objects\/contacts$/,
    scope: 'crm.objects.contacts.write',
    answer: ({ body, nowMs }) => {
      const given = field(body, 'properties');
      const properties: Record<string, string> = {};
      for (const [key, value] of Object.entries(given !== null && typeof given === 'object' ? given : {})) {
        if (typeof value === 'string' || typeof value === 'number') properties[key] = String(value);
      }
      // Email addresses are unique whatever their case ([conflict]: the duplicate check).
      const email = properties.email?.trim().toLowerCase() || undefined;
      if (!email && !properties.firstname && !properties.lastname) {
        return hubspotError(400, {
          message: 'Property values were not valid: at least one of email, firstname or lastname is required',
          category: 'VALIDATION_ERROR',
        });
      }
      if (email !== undefined && !EMAIL.test(email)) {
        const detail = {
          isValid: false,
          message: `Email address ${properties.email} is invalid`,
          error: 'INVALID_EMAIL',
          name: 'email',
        };
        return hubspotError(400, {
          message: `Property values were not valid: ${JSON.stringify([detail])}`,
          category: 'VALIDATION_ERROR',
        });
      }
      const existing = contacts.find(
        (c) => email !== undefined && c.properties.email?.toLowerCase() === email,
      );
      if (existing) {
        return hubspotError(409, {
          message: `Contact already exists. Existing ID: ${existing.id}`,
          category: 'CONFLICT',
        });
      }
      const created = contact(String(nextId++), new Date(nowMs).toISOString(), properties);
      contacts.push(created);
      return { status: 201, json: shown(created, Object.keys(properties)) };
    },
  };

  // [search] sorted by one property, ties by id; `after` is an offset, as HubSpot's paging token is.
  const search: Route = {
    method: 'POST',
    path: /^\/crm\/v3\/objects\/contacts\/search$/,
    scope: 'crm.objects.contacts.read',
    answer: ({ body }) => {
      const sort = (field(body, 'sorts') as unknown[] | undefined)?.[0];
      const by = String(field(sort, 'propertyName') ?? 'hs_object_id');
      const descending = field(sort, 'direction') === 'DESCENDING';
      const limit = Math.min(200, Math.max(1, Number(field(body, 'limit') ?? 10) || 10));
      const after = Number(field(body, 'after') ?? 0) || 0;
      const sorted = [...contacts].sort((a, b) => {
        const order =
          (a.properties[by] ?? '').localeCompare(b.properties[by] ?? '') || Number(a.id) - Number(b.id);
        return descending ? -order : order;
      });
      const page = sorted.slice(after, after + limit).map((c) => shown(c, field(body, 'properties')));
      const next =
        after + limit < sorted.length ? { paging: { next: { after: String(after + limit) } } } : {};
      return { status: 200, json: { total: sorted.length, results: page, ...next } };
    },
  };

  // [metadata] The token is in the path; HubSpot documents no answer for an unknown or expired one:
  // the stand-in's 404 is its assumption.
  const metadata: Route = {
    method: 'GET',
    path: /^\/oauth\/v1\/access-tokens\/([^/]+)$/,
    scope: null,
    answer: ({ match, accessToken, nowMs }) => {
      asked.v1 += 1;
      const token = decodeURIComponent(match[1] ?? '');
      const info = accessToken(token);
      if (!info || info.ended || nowMs >= info.expiresAtMs) {
        return hubspotError(404, { message: 'access token not found', category: 'OBJECT_NOT_FOUND' });
      }
      return {
        status: 200,
        json: {
          token,
          user: 'owner@example.com',
          hub_domain: 'example-62515.hubspot.com',
          scopes: info.scopes,
          hub_id: PORTAL,
          app_id: APP_ID,
          expires_in: Math.floor((info.expiresAtMs - nowMs) / 1000),
          user_id: 7001,
          token_type: 'access',
        },
      };
    },
  };

  return { list: () => contacts, routes: [create, search, metadata] };
}

/**
 * [introspect] POST /oauth/2026-03/token/introspect: the client authenticates in the form body.
 * HubSpot documents the active answer only: a token that no longer works, or any refresh token
 * (whose introspection this stand-in does not model), is RFC 7662's {"active": false}, and a
 * client it does not know the token endpoint's BAD_CLIENT_ID, both the stand-in's assumptions.
 */
const introspectOf = (asked: OAuthRequests): Route => ({
  method: 'POST',
  path: /^\/oauth\/2026-03\/token\/introspect$/,
  scope: null,
  answer: ({ form, accessToken, nowMs }) => {
    asked['2026-03'] += 1;
    if (form.get('client_id') !== CLIENT.id || form.get('client_secret') !== CLIENT.secret) {
      return tokenError('BAD_CLIENT_ID', 'missing or unknown client id', 'invalid_client');
    }
    const token = form.get('token') ?? '';
    const info = accessToken(token);
    if (!info || info.ended || nowMs >= info.expiresAtMs) return { status: 200, json: { active: false } };
    const expiresAt = Math.floor(info.expiresAtMs / 1000);
    return {
      status: 200,
      json: {
        token_use: 'access_token',
        active: true,
        token,
        hub_id: PORTAL,
        user_id: 7001,
        client_id: CLIENT.id,
        app_id: APP_ID,
        scopes: info.scopes,
        signed_access_token: {
          appId: APP_ID,
          expiresAt: expiresAt * 1000,
          hubId: PORTAL,
          hublet: 'na1',
          installingUserId: 7001,
          isPrivateDistribution: false,
          isServiceAccount: false,
          isUserLevel: false,
          scopes: info.scopes.join(','),
          userId: 7001,
        },
        expires_in: Math.floor((info.expiresAtMs - nowMs) / 1000),
        is_private_distribution: false,
        token_type: 'bearer',
        user: 'owner@example.com',
        hub_domain: 'example-62515.hubspot.com',
      },
    };
  },
});

/** The OAuth requests a stand-in answered, by version: v1's token and metadata endpoints, and 2026-03's. */
export interface OAuthRequests {
  v1: number;
  '2026-03': number;
}

/** A stand-in's spec, with a CRM of its own, counting its OAuth requests in `asked`. */
function hubspotSpec(asked: OAuthRequests = { v1: 0, '2026-03': 0 }): ProviderSpec {
  const crm = contactsOf(asked);
  const count = (path: string) => {
    asked[path === TOKEN_2026_03 ? '2026-03' : 'v1'] += 1;
  };
  return {
    provider: 'hubspot',
    tokenPath: '/oauth/v1/token',
    // [v1-sunset] [migrate] the date-versioned endpoint reads the form body only.
    moreTokenPaths: [{ path: TOKEN_2026_03, ignoreQuery: true }],
    probePath: '/crm/v3/objects/contacts',
    probeScope: 'crm.objects.contacts.read',
    allScopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.companies.read',
    ],
    client: { ...CLIENT },
    // [tokens] credentials go in the URL-form body.
    clientAuth: ['body'],
    accessTokenLifetimeSeconds: 1800,
    // [tokens] a refresh returns a new access token; the refresh token stays the same.
    rotation: 'none',
    scopeSeparator: ' ',
    expirySignals: ['401 EXPIRED_AUTHENTICATION', '401 INVALID_AUTHENTICATION'],
    rateLimitSignals: ['429 RATE_LIMIT TEN_SECONDLY_ROLLING', '429 RATE_LIMIT DAILY'],
    // HubSpot access tokens are opaque (the docs warn they grow to ~300 characters); refresh tokens
    // in the documented examples are UUIDs.
    newAccessToken: () => `CN${randomToken(120)}`,
    newRefreshToken: () => randomUuid(),
    newAuthorizationCode: () => randomUuid(),
    readAccessToken: (headers) => authorizationToken(headers, ['Bearer']),
    answers: {
      // [tokens] the documented token response.
      token: (issued) => {
        count(issued.request.path);
        return {
          status: 200,
          json: {
            token_type: 'bearer',
            refresh_token: issued.refreshToken,
            access_token: issued.accessToken,
            expires_in: issued.expiresIn,
            // hub_id and scopes, which HubSpot added to token answers on 2025-08-18 (developers.hubspot.com/changelog/
            // additional-details-returned-when-generating-oauth-access-tokens), before 2026-03 existed: v1 sends
            // them too, and [migrate] says 2026-03 answers as v1 does.
            hub_id: PORTAL,
            scopes: issued.scopes,
          },
        };
      },
      tokenFailure: (failure, { path }) => {
        count(path);
        switch (failure) {
          // [refresh] [v3-errors]
          case 'dead_grant':
            return tokenErrorOf('BAD_REFRESH_TOKEN', 'refresh token is invalid, expired or revoked');
          // BAD_CLIENT_ID with "missing or unknown client id" is quoted from the token endpoint;
          // BAD_CLIENT_SECRET, BAD_AUTH_CODE, BAD_REDIRECT_URI and BAD_GRANT_TYPE are HubSpot's status
          // names for the other refusals, their messages this stand-in's wording, and their RFC 6749
          // codes the stand-in's reading of RFC 6749 §5.2 ([v3-errors] quotes only invalid_grant).
          case 'unknown_client':
            return tokenErrorOf('BAD_CLIENT_ID', 'missing or unknown client id');
          case 'wrong_secret':
            return tokenErrorOf('BAD_CLIENT_SECRET', 'missing or invalid client secret');
          case 'invalid_code':
            return tokenErrorOf('BAD_AUTH_CODE', 'missing or unknown auth code');
          case 'redirect_uri_mismatch':
            return tokenErrorOf('BAD_REDIRECT_URI', 'redirect uri mismatch');
          case 'unsupported_grant_type':
            return tokenErrorOf('BAD_GRANT_TYPE', 'unsupported grant type');
          case 'rate_limited':
            return rateLimitBody('TEN_SECONDLY_ROLLING');
          // [errors] 502/504 are HubSpot's documented timeouts; the body is not documented.
          case 'outage':
            return { status: 502, text: '502 Bad Gateway' };
        }
      },
      // The list, in id order (it takes no sort: [search]), with the default properties.
      probe: () => ({ status: 200, json: { results: crm.list().map((c) => shown(c, undefined)) } }),
      expired: (signal, ctx) =>
        signal === '401 INVALID_AUTHENTICATION'
          ? invalidAuthentication()
          : // [expiry]
            hubspotError(401, {
              message: `The OAuth token used to make this call expired ${expiredAgo(ctx.nowMs, Math.min(ctx.nowMs, ctx.expiresAtMs))} ago.`,
              category: 'EXPIRED_AUTHENTICATION',
            }),
      invalidToken: () => invalidAuthentication(),
      // [scopes]
      missingScope: (ctx) =>
        hubspotError(403, {
          message:
            "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
          errors: [
            {
              message: 'One or more of the following scopes are required.',
              context: { requiredGranularScopes: [ctx.requiredScope] },
            },
          ],
          links: { scopes: 'https://developers.hubspot.com/scopes' },
          category: 'MISSING_SCOPES',
        }),
      rateLimited: (signal) =>
        rateLimitBody(signal === '429 RATE_LIMIT DAILY' ? 'DAILY' : 'TEN_SECONDLY_ROLLING'),
      // [errors] 403 "the authentication provided does not have the proper permissions". The message
      // is the one HubSpot gives a user whose role lacks the object (HubSpot Community, quoted by
      // eshopman-com.pages.dev); HubSpot documents no category for it, so none is sent.
      forbidden: () =>
        hubspotError(403, {
          message: `You do not have permissions to view object type ObjectTypeId{legacyObjectType=CONTACT} in portal ${PORTAL} (requires one of [contacts-read, contacts-access]): Forbidden.`,
        }),
    },
    routes: [...crm.routes, introspectOf(asked)],
    retired: (path, nowMs) => nowMs >= V1_SUNSET_MS && path.startsWith('/oauth/v1/'),
  };
}

// [authn]
function invalidAuthentication(): Reply {
  return hubspotError(401, {
    message:
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    category: 'INVALID_AUTHENTICATION',
  });
}

/** The spec of a stand-in (its CRM shared by every server started from it). */
export const spec: ProviderSpec = hubspotSpec();

/** A HubSpot stand-in: its own CRM, and the OAuth requests it answered, by version. */
export type HubSpotStandIn = StandIn & { oauthRequests(): OAuthRequests };

/** A HubSpot stand-in with a CRM of its own. */
export const start = async (options?: StartOptions): Promise<HubSpotStandIn> => {
  const asked: OAuthRequests = { v1: 0, '2026-03': 0 };
  const standIn = await startStandIn(hubspotSpec(asked), options);
  return Object.assign(standIn, { oauthRequests: () => ({ ...asked }) });
};
