// How an endpoint answers a token no server can have issued, and (on a sandbox, after every other
// check) a token that truly expired: what expiry_signal and legacy_signal share.
import type { Call, Context, Finding } from './context';
import { apiCall, networkFailure, probeToken } from './http';
import { handling } from './words';

/** The call with a token that cannot be valid: is it refused as a token to refresh? */
export async function invalidTokenProbe(ctx: Context, id: string, call: Call): Promise<Finding> {
  const made = probeToken(ctx.target.probeTokens.access);
  ctx.secrets.add(made);
  const named = call.what ? `${call.what} (${call.shown})` : call.shown;
  try {
    const answer = await apiCall(ctx.layer, call, made);
    const signal = ctx.layer.classify(answer);
    const how = handling(signal);
    return {
      status: how.handled ? 'pass' : 'fail',
      finding: `${named} answers an access token that cannot be valid with ${ctx.target.describe(answer, signal)}; ${how.text}.`,
      fix: how.handled ? '' : ctx.see(id, ctx.target.words.unhandled),
    };
  } catch (error) {
    return {
      status: 'fail',
      finding: `${call.shown} failed: ${networkFailure(error)}.`,
      fix: ctx.see(id, `Check ${call.hint} and the network.`),
    };
  }
}

/** A throwaway connection whose token the sandbox expired, with every other live token: once per run. */
function expiredToken(ctx: Context): Promise<string> {
  const sandbox = ctx.sandbox;
  if (!sandbox) return Promise.reject(new Error('no sandbox'));
  ctx.expiredToken ??= (async () => {
    const throwaway = await sandbox.connect();
    ctx.secrets.add(throwaway.access_token).add(throwaway.refresh_token);
    sandbox.expireAccessTokens();
    return throwaway.access_token;
  })();
  return ctx.expiredToken;
}

/** On a sandbox, last: the call with a truly expired token, added to the finding. */
export async function expiredTokenProbe(ctx: Context, id: string, call: Call | null, finding: Finding) {
  if (!ctx.sandbox || !ctx.configured || !call) return;
  try {
    const answer = await apiCall(ctx.layer, call, await expiredToken(ctx));
    const signal = ctx.layer.classify(answer);
    const how = handling(signal);
    finding.finding += ` An expired token gets ${ctx.target.describe(answer, signal)}; ${how.text}.`;
    if (!how.handled) {
      finding.status = 'fail';
      finding.fix = ctx.see(id, ctx.target.words.unhandled);
    }
  } catch (error) {
    finding.finding += ` (The expired-token probe failed: ${networkFailure(error)}.)`;
  }
}
