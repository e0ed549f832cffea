// The draft's endpoints, client and authorization, from what observe saw: where tokens go, how
// the client authenticates, what was granted. Pure.
import { branch, leaf, type DraftNode } from '../draft';
import { apiPrefixOf, endpointFor, separatorOf, snippet } from './answers';
import { metadataEndpoint, type MetadataEndpoint } from './metadata';
import type { Observations } from './request';

type Clean = (text: string) => string;

export function endpointsNode(obs: Observations): DraftNode {
  const { test, env, name, scheme } = obs.plan;
  const shown = obs.plan.shown;
  const authorizeAt = metadataEndpoint(obs.metadata, 'authorization_endpoint', test);
  const revokeAt = metadataEndpoint(obs.metadata, 'revocation_endpoint', test);
  const tokenAt = metadataEndpoint(obs.metadata, 'token_endpoint', test);
  const refused = (found: MetadataEndpoint) => (found && 'refused' in found ? `${found.refused}: ` : '');
  const answered = obs.tokenProbe || obs.clientRefusals.length > 0;
  return branch({
    base:
      test.protocol === 'https:'
        ? leaf(test.origin, { observed: "the test URL's origin" })
        : leaf('https://api.example.invalid', {
            unobserved: `the test URL is local (${test.origin}): the API's production https address`,
          }),
    baseEnv: leaf(`${env}_BASE_URL`, {
      notes: [
        'Named by the doctor: the variable that points the profile at another host (a sandbox, a stand-in).',
      ],
    }),
    authorize:
      authorizeAt && 'url' in authorizeAt
        ? leaf(endpointFor(authorizeAt.url, test.origin), {
            observed: `the server's metadata (authorization_endpoint, ${authorizeAt.where})`,
          })
        : leaf('/oauth/authorize', {
            unobserved: authorizeAt
              ? `${refused(authorizeAt)}the API's OAuth documentation`
              : "no answer names it (the server publishes no metadata): the API's OAuth documentation",
          }),
    token: obs.tokenUrl
      ? leaf(endpointFor(obs.tokenUrl, test.origin), {
          observed: obs.plan.tokenUrlGiven
            ? `named with --token-url; it answered ${answered ? 'a refresh as a token endpoint does' : 'nothing usable'}`
            : `the server's metadata (token_endpoint${tokenAt && 'url' in tokenAt ? `, ${tokenAt.where}` : ''})`,
        })
      : leaf('/oauth/token', {
          unobserved: `${refused(tokenAt)}name it with --token-url, or read it in the API's OAuth documentation`,
        }),
    api: leaf(apiPrefixOf(test.pathname), {
      unobserved: `guessed from the test URL's first path segment: the prefix every resource path of ${name} shares (the access token goes to every URL under it, and nowhere else)`,
    }),
    oauthOther:
      revokeAt && 'url' in revokeAt
        ? leaf([endpointFor(revokeAt.url, test.origin)], {
            observed: `the server's metadata (revocation_endpoint, ${revokeAt.where})`,
          })
        : leaf(undefined, {
            unobserved: `${refused(revokeAt)}revocation or introspection endpoints (which must never get the access token): the API's OAuth documentation`,
          }),
    authorizationScheme: obs.success
      ? leaf(scheme, { observed: `${shown} took the connection's token as "${scheme} …"` })
      : leaf(scheme, {
          unobserved: `the connection's token was not accepted${obs.ownRefused ? ` (HTTP ${obs.ownRefused.status})` : ''}, so whether ${name} takes it as "${scheme} …" is unknown: a token it accepts (--refresh, or a fresh connection)`,
        }),
  });
}

export function clientNode(obs: Observations, clean: Clean): DraftNode {
  const refusals = obs.clientRefusals.map(
    ({ method, answer }) => `${method}: HTTP ${answer.status} ${snippet(answer.body, answer.content, clean)}`,
  );
  const method = obs.client;
  return branch({
    idEnv: leaf(`${obs.plan.env}_CLIENT_ID`, { notes: ['Named by the doctor, like the next one.'] }),
    secretEnv: leaf(`${obs.plan.env}_CLIENT_SECRET`),
    authMethod: method
      ? leaf(method, {
          observed: `the token endpoint took the client ${method === 'basic' ? 'in HTTP Basic' : 'in the form body'}: a refresh token that cannot exist was refused as such, not as a client error${refusals.length > 0 ? ` (refused as a client error: ${refusals.join('; ')})` : ''}`,
        })
      : leaf('basic', {
          unobserved:
            refusals.length > 0
              ? `every client authentication was refused as a client error (${refusals.join('; ')}): check the client id and secret, then run --discover again`
              : 'a refresh at the token endpoint with the client credentials (--token-url, and the client id and secret)',
        }),
  });
}

/** Scopes: what this connection was granted, and how the API joins them. */
export function authorizationNode(obs: Observations): DraftNode {
  const stored = obs.plan.request.authData.scope;
  const refreshScope =
    obs.refreshed && typeof obs.refreshed.body.scope === 'string' ? obs.refreshed.body.scope : '';
  const scopeString = stored ?? refreshScope;
  const source = stored !== undefined ? 'authData_scope' : "the refresh answer's scope";
  const separator = separatorOf(scopeString) ?? separatorOf(refreshScope);
  const granted = scopeString.split(separator === ',' ? /[,\s]+/ : /\s+/).filter((s) => s !== '');
  const methods = obs.metadata?.code_challenge_methods_supported;
  return branch({
    scopes:
      granted.length > 0
        ? leaf(granted, {
            observed: `the scopes granted to this connection (${source}); which to ask for is the integration's choice`,
          })
        : leaf([], {
            unobserved: "a connection that stores its scope (authData_scope), or the API's list of scopes",
          }),
    scopeSeparator:
      separator !== null
        ? leaf(separator, { observed: `${source} joins its scopes with "${separator}"` })
        : leaf(' ', {
            unobserved: scopeString
              ? 'the stored scope names one scope: a connection granted two or more shows how they are joined'
              : 'a connection that stores its scope (authData_scope), or the refresh answer (--refresh)',
          }),
    scopeLabels: leaf(undefined, {
      unobserved: 'the words the consent page shows for each scope (optional)',
    }),
    pkce: leaf('supported', {
      unobserved: `only the authorize step shows it (a code refused without code_challenge means "required"; "none" if PKCE is unknown to it)${Array.isArray(methods) ? `; the metadata lists code_challenge_methods_supported ${JSON.stringify(methods)}` : ''}`,
    }),
    extraParams: leaf(undefined, {
      unobserved:
        "what the authorize URL needs beyond RFC 6749 (access_type=offline, prompt=consent): the API's OAuth documentation",
    }),
  });
}
