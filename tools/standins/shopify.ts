// Shopify stand-in: expiring offline access tokens and the Admin API, as two endpoint families —
// the legacy REST Admin API (GET …/products.json, the first family, so the suite of one family
// can run it) and the GraphQL Admin API (POST …/graphql.json). Every shop has its own host,
// https://{shop}.myshopify.com (a host per connection, issue 26): this stand-in is one shop.
// Sources (checked 2026):
//   [expiring] https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh (2025-12-10):
//              access_token, expires_in (3600 seconds), refresh_token; "exchange the refresh_token at the
//              token endpoint"; "Update stored tokens with the latest values returned by the refresh response"
//   [required] https://shopify.dev/docs/apps/build/security/credentials-and-data/use-expiring-offline-access-tokens:
//              "An expiring offline access token lasts one hour … Shopify replaces its refresh token every time
//              your app uses it"; public apps must use them from 2027-01-01
//   [resilient] https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens (2026-08-28):
//              "an app can retry its previously stored refresh token until it starts using the replacement
//              refresh token … limited to 30 days from the original refresh token's first use and doesn't extend
//              the token beyond its normal 90-day lifetime. When an app uses the replacement refresh token, the
//              preceding refresh token is retired."
//   [token]    POST https://{shop}.myshopify.com/admin/oauth/access_token with client_id, client_secret and
//              code, or grant_type=refresh_token and refresh_token (nango.dev/blog/shopify-oauth-refresh-token-invalid-grant:
//              a dead refresh token is 400 {"error":"invalid_grant","error_description":…});
//              https://shopify.dev/docs/api/usage/response-codes: 400 "when the request provides an invalid code
//              parameter during authorization code grant"
//   [header]   https://shopify.dev/docs/api/admin-graphql — "include your token as a X-Shopify-Access-Token header"
//   [401]      401 {"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"} with
//              www-authenticate: Basic Realm="Shopify API Authentication": frappe/ecommerce_integrations#414 (2026);
//              an expired token gets it too: Shopify/shopify-app-php#12, Kyon147/laravel-shopify#500
//   [codes]    https://shopify.dev/docs/api/usage/response-codes — GraphQL can answer 200 where REST answers 4xx;
//              THROTTLED "similar to 429", ACCESS_DENIED, SHOP_INACTIVE; 402 Payment Required: "The requested
//              shop is currently frozen. The shop owner needs to log in to the shop's admin and pay the
//              outstanding balance to unfreeze the shop."
//   [throttled] {"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":
//              "https://shopify.dev/api/usage/rate-limits"}}],"extensions":{"cost":{"requestedQueryCost":…,
//              "actualQueryCost":null,"throttleStatus":{"maximumAvailable":1000,"currentlyAvailable":…,
//              "restoreRate":50}}}}: the response Shopify's example gives, quoted by gist lacom/56e3834834e250270062583f425274b9
//              and community.shopify.com/t/graphql-admin-api-example-throttled-requests-response/8456
//   [denied]   "Access denied for products field. Required access: `read_products` access scope." with
//              extensions.code ACCESS_DENIED and documentation https://shopify.dev/api/usage/access-scopes:
//              Shopify/shopify-api-ruby#1415, vercel/commerce#1350, kirillplatonov/shopify_graphql#35
//   [rest-limits] REST: 429 with Retry-After: 2.0 (seconds, written with a decimal) and
//              X-Shopify-Shop-Api-Call-Limit; 403 "[API] This action requires merchant approval for read_products
//              scope." for a missing scope (as client libraries and Shopify's community quote them)
import type { IncomingHttpHeaders } from 'node:http';
import type { FamilySpec, ProbeContext, ProviderSpec, Reply } from 'zapier-oauth-layer/standin';
import { randomHex, startStandIn } from 'zapier-oauth-layer/standin';
import type { StartStandIn } from 'zapier-oauth-layer/standin';

const API = '/admin/api/2026-07';
const INVALID = '[API] Invalid API key or access token (unrecognized login or wrong password)';
const FROZEN =
  "The requested shop is currently frozen. The shop owner needs to log in to the shop's admin and pay the outstanding balance to unfreeze the shop.";

/** [header] both families read the token from X-Shopify-Access-Token, never from Authorization. */
const shopifyToken = (headers: IncomingHttpHeaders): string | undefined => {
  const value = headers['x-shopify-access-token'];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

// [401] the same answer for an expired, revoked, unknown or missing token, on both families.
const unauthorized = (): Reply => ({
  status: 401,
  headers: { 'www-authenticate': 'Basic Realm="Shopify API Authentication"' },
  json: { errors: INVALID },
});

// [codes] a frozen shop: what the owner must pay for, not a scope. Its body on both families is
// REST's {"errors": "…"} shape, the stand-in's assumption (Shopify shows the status and its meaning).
const frozen = (): Reply => ({ status: 402, json: { errors: FROZEN } });

const REST_EXPIRED = '401 Invalid API key or access token';
const REST_LIMIT = '429 Retry-After 2.0';
const GQL_EXPIRED = 'graphql 401 Invalid API key or access token';
const GQL_LIMIT = 'graphql 200 THROTTLED extensions.cost';

/**
 * [throttled] the wait a client reads is (requestedQueryCost - currentlyAvailable) / restoreRate:
 * a query of the single-query maximum, 1000, with points left for all but `retryAfter` seconds.
 */
function throttled(retryAfterSeconds: number): Reply {
  const restoreRate = 50;
  const requested = 1000;
  const available = Math.max(0, requested - restoreRate * retryAfterSeconds);
  return {
    status: 200,
    json: {
      errors: [
        {
          message: 'Throttled',
          extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
        },
      ],
      extensions: {
        cost: {
          requestedQueryCost: requested,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 1000, currentlyAvailable: available, restoreRate },
        },
      },
    },
  };
}

const graphql: FamilySpec = {
  name: 'graphql',
  probe: {
    method: 'POST',
    path: `${API}/graphql.json`,
    body: { query: '{ products(first: 1) { nodes { id } } }' },
  },
  probeScope: 'read_products',
  expirySignals: [GQL_EXPIRED],
  rateLimitSignals: [GQL_LIMIT],
  forbidden: 'plan',
  readAccessToken: shopifyToken,
  answers: {
    probe: () => ({
      status: 200,
      json: {
        data: { products: { nodes: [{ id: 'gid://shopify/Product/108828309' }] } },
        extensions: {
          cost: {
            requestedQueryCost: 3,
            actualQueryCost: 3,
            throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 997, restoreRate: 50 },
          },
        },
      },
    }),
    expired: unauthorized,
    invalidToken: unauthorized,
    // [denied] [codes] HTTP 200, the field's data null.
    missingScope: (ctx: ProbeContext) => ({
      status: 200,
      json: {
        data: { products: null },
        errors: [
          {
            message: `Access denied for products field. Required access: \`${ctx.requiredScope}\` access scope.`,
            locations: [{ line: 1, column: 3 }],
            path: ['products'],
            extensions: {
              code: 'ACCESS_DENIED',
              documentation: 'https://shopify.dev/api/usage/access-scopes',
              requiredAccess: `\`${ctx.requiredScope}\` access scope.`,
            },
          },
        ],
      },
    }),
    rateLimited: (_signal, retryAfter) => throttled(retryAfter),
    forbidden: frozen,
  },
};

const oauthError = (status: number, error: string, description: string): Reply => ({
  status,
  json: { error, error_description: description },
});

function shopifySpec(): ProviderSpec {
  return {
    provider: 'shopify',
    tokenPath: '/admin/oauth/access_token',
    familyName: 'rest',
    forbidden: 'plan',
    families: [graphql],
    probePath: `${API}/products.json`,
    probeScope: 'read_products',
    allScopes: ['read_products', 'write_products', 'read_orders', 'read_customers'],
    client: { id: 'c5f8e1b2a9d04e6f8b7a3c2d1e0f9a8b', secret: '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' },
    // [token] client_id and client_secret in the body (form or JSON).
    clientAuth: ['body'],
    // [expiring] [required] one hour.
    accessTokenLifetimeSeconds: 3600,
    // [resilient] the previous refresh token keeps working until its replacement is used, for up to 30 days.
    rotation: 'grace',
    graceSeconds: 30 * 86400,
    graceEndsWhenReplacementUsed: true,
    scopeSeparator: ',',
    // [token] the code exchange sends client_id, client_secret and code: no redirect_uri.
    redirectUriOptional: true,
    expirySignals: [REST_EXPIRED],
    rateLimitSignals: [REST_LIMIT],
    // shpat_ and 32 hex characters is the known shape of an Admin API token; the refresh token's
    // shprt_ prefix is the stand-in's assumption.
    newAccessToken: () => `shpat_${randomHex(16)}`,
    newRefreshToken: () => `shprt_${randomHex(16)}`,
    newAuthorizationCode: () => randomHex(16),
    readAccessToken: shopifyToken,
    answers: {
      // [expiring] refresh_token_expires_in: the normal 90-day lifetime ([resilient]).
      token: (issued) => ({
        status: 200,
        json: {
          access_token: issued.accessToken,
          expires_in: issued.expiresIn,
          refresh_token: issued.refreshToken,
          refresh_token_expires_in: 90 * 86400,
          scope: issued.scopes.join(','),
        },
      }),
      tokenFailure: (failure) => {
        switch (failure) {
          // [token]
          case 'dead_grant':
            return oauthError(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked.');
          // [token] a bad code is a 400; its wording, and every other refusal's, is the stand-in's.
          case 'invalid_code':
          case 'redirect_uri_mismatch':
            return oauthError(
              400,
              'invalid_request',
              'The authorization code was not found or was already used',
            );
          case 'unknown_client':
          case 'wrong_secret':
            return oauthError(400, 'invalid_client', 'Client credentials are invalid.');
          case 'unsupported_grant_type':
            return oauthError(400, 'unsupported_grant_type', 'The grant type is not supported.');
          // Not documented for the token endpoint: REST's 429 with Retry-After, an assumption.
          case 'rate_limited':
            return { status: 429, headers: { 'retry-after': '2.0' }, json: { errors: 'Too many requests' } };
          case 'outage':
            return { status: 503, text: 'Service Unavailable' };
        }
      },
      probe: () => ({
        status: 200,
        headers: { 'x-shopify-shop-api-call-limit': '1/40' },
        json: { products: [{ id: 108828309, title: 'Example T-Shirt' }] },
      }),
      expired: unauthorized,
      invalidToken: unauthorized,
      // [rest-limits]
      missingScope: (ctx) => ({
        status: 403,
        json: { errors: `[API] This action requires merchant approval for ${ctx.requiredScope} scope.` },
      }),
      // [rest-limits] the wait in seconds, written as Shopify writes it ("2.0").
      rateLimited: (_signal, retryAfter) => ({
        status: 429,
        headers: { 'retry-after': `${retryAfter}.0`, 'x-shopify-shop-api-call-limit': '40/40' },
        json: {
          errors:
            'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        },
      }),
      forbidden: frozen,
    },
  };
}

/** The spec of a stand-in. */
export const spec: ProviderSpec = shopifySpec();

/** A Shopify stand-in: one shop. */
export const start: StartStandIn = (options) => startStandIn(shopifySpec(), options);
