// Azure Resource Manager through the Microsoft identity platform's v1 endpoint, as Microsoft documents it.
//   learn.microsoft.com/entra/identity-platform/refresh-tokens (a new refresh token on every
//   use; the old one is not revoked) · v1 answers numbers as strings ("expires_in": "3599"):
//   MicrosoftDocs/azure-docs#54997 · learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
import { defineProfile } from 'zapier-oauth-layer/internal';

export const microsoftProfile = defineProfile({
  id: 'microsoft',
  name: 'Microsoft Azure',
  troubleshooting: 'https://learn.microsoft.com/entra/identity-platform/reference-error-codes',
  endpoints: {
    base: 'https://login.microsoftonline.com',
    baseEnv: 'MICROSOFT_BASE_URL',
    authorize: '/common/oauth2/authorize',
    token: '/common/oauth2/token',
    api: 'https://management.azure.com/subscriptions',
  },
  client: { idEnv: 'MICROSOFT_CLIENT_ID', secretEnv: 'MICROSOFT_CLIENT_SECRET', authMethod: 'body' },
  authorization: {
    scopes: ['user_impersonation'],
    pkce: 'supported',
    // v1 asks for a resource, not scopes of it.
    extraParams: { resource: 'https://management.azure.com/' },
  },
  signals: {
    // {"error": {"code": "ExpiredAuthenticationToken", "message": …}}, with
    // WWW-Authenticate: Bearer …, error="invalid_token" on 401s.
    body: { code: 'error.code', message: 'error.message' },
    codes: {
      ExpiredAuthenticationToken: 'refresh',
      InvalidAuthenticationToken: 'refresh',
      AuthenticationFailed: 'refresh',
      AuthorizationFailed: 'forbidden', // 403: the role assignment lacks the action
      TooManyRequests: 'throttled',
      ResourceNotFound: 'not_found',
      SubscriptionNotFound: 'not_found',
      InvalidRequestContent: 'bad_request',
      Conflict: 'conflict',
    },
  },
  token: {
    codes: {
      // Conditional access or MFA now demands the user: only reconnecting satisfies it.
      interaction_required: 'invalid_grant',
    },
    // expires_in: "3599", a string of seconds: the default lifetime reads it as a number.
    rotation: { kind: 'always' },
    refreshTokenInRefresh: 'always',
  },
  advice: {
    deadGrant:
      'The refresh token expired (90 days unused), the password changed, an administrator revoked the sessions, or sign-in now needs the user (MFA, conditional access).',
    forbidden: 'Ask an owner of the subscription for a role that allows it, or connect a user who has one.',
  },
});
