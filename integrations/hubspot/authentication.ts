// HubSpot's OAuth 2.0: the layer's, bound to HubSpot's profile, with a test and label of our own.
import { hubspot } from './api';

interface TokenMetadata {
  user: string;
  hub_domain: string;
  hub_id: number;
}

export default hubspot.authentication({
  test: async (z, bundle) => {
    // A CRM call first, through the layer: an expired token is refreshed, a missing scope named.
    await hubspot.request(z, { path: '/crm/v3/objects/contacts', params: { limit: 1 }, bundle });
    // Who and which account, for the label (HubSpot's token metadata: the token is in the path).
    const token = encodeURIComponent(String(bundle.authData.access_token));
    const { data: me } = await hubspot.request<TokenMetadata>(z, {
      path: `/oauth/v1/access-tokens/${token}`,
      what: 'GET /oauth/v1/access-tokens/{token}',
      bundle,
    });
    // Never the answer as a whole: it repeats the access token.
    return { user: me.user, hub_domain: me.hub_domain, hub_id: me.hub_id };
  },
  connectionLabel: '{{user}} ({{hub_domain}})',
});
