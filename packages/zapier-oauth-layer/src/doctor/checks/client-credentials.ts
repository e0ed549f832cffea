// `client_credentials`: one refresh at the token endpoint with a refresh token that cannot exist,
// sent as the integration sends the client. Refused as invalid_grant: the client is accepted.
// token_endpoint_errors reads the same answer.
import { valueAt } from '../../internal';
import type { Context, DoctorCheck, Finding, TokenProbe } from '../context';
import { networkFailure, probeToken, refreshRequest, type Answer } from '../http';
import { FIX_CONFIG_FIRST, NOT_CONFIGURED } from '../words';

function seenOf(ctx: Context, answer: Answer, outcome: TokenProbe['outcome']): string {
  const path = ctx.layer.profile.token.errorCode;
  const value = valueAt(answer.body, path);
  const error = typeof value === 'string' ? value : null;
  return `HTTP ${answer.status}${error ? ` ${path}=${error}` : ''}${outcome.ok ? '' : ` (layer/tokens.ts: ${outcome.problem})`}`;
}

async function probe(ctx: Context): Promise<TokenProbe> {
  const made = probeToken(ctx.target.probeTokens.refresh);
  ctx.secrets.add(made);
  const answer = await refreshRequest(ctx.layer, made);
  const outcome = ctx.layer.normaliseTokenResponse(
    { status: answer.status, body: answer.body, contentType: answer.header('content-type') },
    { grant: 'refresh_token', nowSeconds: Math.floor(Date.now() / 1000), secrets: [...ctx.secrets] },
  );
  return {
    answer,
    outcome,
    problem: outcome.ok ? 'accepted' : outcome.problem,
    seen: seenOf(ctx, answer, outcome),
  };
}

function judge(ctx: Context, { problem, seen }: TokenProbe): Finding {
  const { layer, name, see, target } = ctx;
  const profile = layer.profile;
  if (problem === 'invalid_grant') {
    ctx.clientOk = true;
    return {
      status: 'pass',
      finding: `Client credentials accepted: a refresh token that cannot exist was refused with invalid_grant (${seen}); the connection's own refresh token was not sent.`,
      fix: '',
    };
  }
  if (problem === 'invalid_client' || problem === 'unauthorized_client') {
    const registered = profile.advice?.clientRegistration ?? `the client registered with ${name}`;
    return {
      status: 'fail',
      finding: `${name} rejected the client credentials: ${problem} (${seen}). Every refresh fails the same way, and no connection can be made.`,
      fix: see(
        'client_credentials',
        `The integration owner checks ${profile.client.idEnv} and ${profile.client.secretEnv} against ${registered}${target.words.clientMethod}; reconnecting will not help.`,
      ),
    };
  }
  return {
    status: problem === 'server_error' || problem === 'unreadable_answer' ? 'fail' : 'warn',
    finding: `The token endpoint answered a refresh with an unknown token with ${problem === 'accepted' ? 'tokens (!)' : problem} (${seen}), so the credentials could not be judged.`,
    fix: see('client_credentials', `Try again later; if it persists, ask ${name} about its token endpoint.`),
  };
}

export const clientCredentials: DoctorCheck = {
  id: 'client_credentials',
  shouldRun: () => true,
  restsOn: ['client.authMethod', 'token.errorCode', 'token.codes', 'token.errorsAs200'],
  async run(ctx) {
    if (!ctx.configured) return { status: 'skipped', finding: NOT_CONFIGURED, fix: FIX_CONFIG_FIRST };
    try {
      const answer = await probe(ctx);
      ctx.tokenProbe = answer;
      return judge(ctx, answer);
    } catch (error) {
      const why = `The token endpoint could not be reached: ${networkFailure(error)}.`;
      ctx.tokenProbe = why;
      return {
        status: 'fail',
        finding: why,
        fix: ctx.see('client_credentials', `Check ${ctx.layer.profile.endpoints.baseEnv} and the network.`),
      };
    }
  },
};
