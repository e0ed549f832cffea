// Salesforce's REST API with refresh token rotation on, as Salesforce documents it.
//   help.salesforce.com "OAuth 2.0 Refresh Token Flow" (no expires_in; issued_at in ms)
//   help.salesforce.com "Refresh Token Rotation" (a rotated refresh token used again revokes the grant)
//   developer.salesforce.com REST API "Status Codes and Error Responses" (errors are arrays)
//   Where instance_url may point (endpoints.apiFrom.hosts):
//   help.salesforce.com "My Domain URL Formats" and "Partitioned Domains": an org's login and API
//   host is MyDomainName.my.salesforce.com, with a partition before my.salesforce.com for
//   sandboxes (MyDomainName--SandboxName.sandbox.my.salesforce.com), Developer Edition, scratch,
//   patch and demo orgs (MyDomainName.develop.my.salesforce.com, …);
//   developer.salesforce.com OrgDomainLog "DomainPartition" (demo, develop, patch, sandbox,
//   scratch, trailblaze, …: every partition sits under my.salesforce.com);
//   help.salesforce.com "Set the My Domain Login Policy": orgs may still be reached on their
//   instanced URL, https://InstanceName.salesforce.com (usa77, eu55);
//   developer.salesforce.com Apex "DomainCreator": the org's other Salesforce-hosted names are
//   under force.com (MyDomainName.lightning.force.com, …--c.vf.force.com). Experience Cloud
//   sites of any org are under force.com too: the access token only ever goes to the API's
//   path (/services/data/) there, which Salesforce serves itself.
//   Where a connection signs in and gets its tokens (connection): help.salesforce.com "OAuth
//   Endpoints" (login.salesforce.com; a My Domain URL, https://MyCompany.my.salesforce.com;
//   for sandboxes test.salesforce.com or MyDomainName--SandboxName.sandbox.my.salesforce.com)
//   and "Set the My Domain Login Policy" (an org may refuse logins from login.salesforce.com:
//   then only its My Domain works); Nango's providers.yaml asks the same of a Salesforce
//   connection (connection_config.hostname, login.salesforce.com when it is left out). Not
//   allowed: Experience Cloud sites (*.my.site.com) and custom URLs, which an integration for
//   them adds by name.
//   Not listed: Government Cloud Plus and Salesforce's China hosts; an integration for orgs
//   there adds their documented hosts.
import { defineProfile } from 'zapier-oauth-layer/internal';

export const salesforceProfile = defineProfile({
  id: 'salesforce',
  name: 'Salesforce',
  troubleshooting: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm',
  endpoints: {
    // Tokens come from login.salesforce.com; the API answers on the org's own instance_url,
    // which every token answer names (kept in authData, and where the access token goes).
    base: 'https://login.salesforce.com',
    baseEnv: 'SALESFORCE_BASE_URL',
    authorize: 'https://{{login_host}}/services/oauth2/authorize',
    token: 'https://{{login_host}}/services/oauth2/token',
    api: '/services/data/',
    apiFrom: { field: 'instance_url', hosts: ['*.my.salesforce.com', '*.salesforce.com', '*.force.com'] },
    oauthOther: ['https://{{login_host}}/services/oauth2/revoke'],
  },
  connection: {
    fields: [
      {
        key: 'login_host',
        label: 'Login host',
        help: 'Where your org signs in: login.salesforce.com, test.salesforce.com for a sandbox, or your My Domain (MyDomainName.my.salesforce.com, under Setup > My Domain) when your org requires it.',
        default: 'login.salesforce.com',
      },
    ],
    hosts: ['login.salesforce.com', 'test.salesforce.com', '*.my.salesforce.com'],
  },
  client: { idEnv: 'SALESFORCE_CLIENT_ID', secretEnv: 'SALESFORCE_CLIENT_SECRET', authMethod: 'body' },
  authorization: { scopes: ['api', 'refresh_token'], pkce: 'supported' },
  signals: {
    // [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    body: { code: '0.errorCode', message: '0.message' },
    codes: {
      // Also what a token without the `api` scope gets: no refresh tells them apart.
      INVALID_SESSION_ID: 'refresh',
      REQUEST_LIMIT_EXCEEDED: 'throttled', // a 403
      API_DISABLED_FOR_ORG: 'forbidden',
      INSUFFICIENT_ACCESS: 'forbidden',
      INSUFFICIENT_ACCESS_OR_READONLY: 'forbidden',
      NOT_FOUND: 'not_found',
      MALFORMED_QUERY: 'bad_request',
      INVALID_FIELD: 'bad_request',
      REQUIRED_FIELD_MISSING: 'validation',
      DUPLICATE_VALUE: 'conflict',
      SERVER_UNAVAILABLE: 'unavailable',
    },
    bearerChallenge: false,
  },
  token: {
    // No lifetime in the answer: the org's session timeout, 2 hours by default, from issued_at
    // (epoch milliseconds, as a string).
    lifetime: {
      field: null,
      assumeSeconds: 7200,
      issuedAt: { field: 'issued_at', unit: 'epoch-milliseconds' },
    },
    rotation: { kind: 'strict' },
    refreshTokenInRefresh: 'always',
    keep: ['instance_url'],
  },
  advice: {
    deadGrant:
      'The connected app was revoked, the user was deactivated, the refresh token policy expired it, or a rotated refresh token was used again.',
    forbidden:
      'Ask a Salesforce administrator for API access or the object permission, or connect a user who has it.',
  },
});
