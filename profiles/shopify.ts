// Shopify's Admin API with expiring offline access tokens, as Shopify documents it.
//   shopify.dev/docs/apps/build/security/credentials-and-data/use-expiring-offline-access-tokens
//   ("An expiring offline access token lasts one hour … Shopify replaces its refresh token every
//   time your app uses it") · shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens
//   ("an app can retry its previously stored refresh token until it starts using the replacement
//   … limited to 30 days"): grace, ended early when the replacement is used
//   shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
//   (https://{shop}.myshopify.com/admin/oauth/authorize and …/admin/oauth/access_token, client_id
//   and client_secret in the body; scopes joined with commas)
//   shopify.dev/docs/api/admin-graphql ("include your token as a X-Shopify-Access-Token header")
//   shopify.dev/docs/api/usage/response-codes (401 for a bad token on both APIs; 402 "The requested
//   shop is currently frozen"; 403 "generally returned if you haven't requested the appropriate
//   scope"; GraphQL answers 200 with THROTTLED, ACCESS_DENIED, SHOP_INACTIVE where REST answers 4xx)
//   REST's 429 writes Retry-After with a decimal ("2.0"): shopify.dev/docs/api/usage/rate-limits
//   GraphQL's ACCESS_DENIED names the scope in its message ("Access denied for products field.
//   Required access: `read_products` access scope."): Shopify/shopify-api-ruby#1415
//   Nango's providers.yaml asks a Shopify connection for its shop (connection_config.subdomain).
import { defineProfile, graphqlFamily } from 'zapier-oauth-layer/internal';

/** The Admin API version this integration calls (a quarterly, date-named release). */
const VERSION = '2026-07';

export const shopifyProfile = defineProfile({
  id: 'shopify',
  name: 'Shopify',
  troubleshooting: 'https://shopify.dev/docs/api/usage/response-codes',
  endpoints: {
    // Every endpoint is on the shop's own host, which the user names when connecting
    // (connection.fields' shop); nothing is under the base, which a stand-in's variable replaces.
    base: 'https://shopify.com',
    baseEnv: 'SHOPIFY_BASE_URL',
    authorize: 'https://{{shop}}.myshopify.com/admin/oauth/authorize',
    token: 'https://{{shop}}.myshopify.com/admin/oauth/access_token',
    api: `https://{{shop}}.myshopify.com/admin/api/${VERSION}/`,
    // The token alone in X-Shopify-Access-Token, never Authorization.
    tokenHeader: 'X-Shopify-Access-Token',
  },
  connection: {
    fields: [
      {
        key: 'shop',
        label: 'Shop',
        help: "Your shop's name in its admin address: acme for acme.myshopify.com.",
      },
    ],
    hosts: ['*.myshopify.com'],
  },
  client: { idEnv: 'SHOPIFY_CLIENT_ID', secretEnv: 'SHOPIFY_CLIENT_SECRET', authMethod: 'body' },
  authorization: { scopes: ['read_products'], scopeSeparator: ',', pkce: 'none' },
  signals: {
    // REST: {"errors": "[API] …"}, a sentence where other APIs put a code.
    body: { message: 'errors' },
    // A 403 is a scope the app did not ask for; a 402 a frozen shop, which its owner must pay.
    statuses: { 402: 'forbidden', 403: 'scope' },
    bearerChallenge: false,
    families: [
      graphqlFamily({
        prefix: `/admin/api/${VERSION}/graphql.json`,
        codes: { THROTTLED: 'throttled', ACCESS_DENIED: 'scope', SHOP_INACTIVE: 'forbidden' },
      }),
    ],
  },
  token: {
    // expires_in: 3600, in seconds: the default lifetime.
    rotation: { kind: 'grace', graceSeconds: 30 * 86400 },
    refreshTokenInRefresh: 'always',
  },
  tokenPrefixes: ['shpat_', 'shprt_'],
  advice: {
    deadGrant: 'The app was uninstalled from the shop, or its refresh token is older than 90 days.',
    forbiddenWho: 'a frozen or inactive shop',
    forbidden: "The shop owner must log in to the shop's admin and pay the outstanding balance.",
  },
});
