// `refresh`: only with --refresh (always on the sandbox, whose connection is the doctor's own).
// One refresh with the connection's refresh token: the lifetime as the profile reads it, whether
// the refresh token rotated (held against the profile where it speaks for the API), and the new
// tokens written back to .env. On a sandbox, a throwaway connection's rotated refresh token is
// presented again: grace period or strict rotation (K8).
import { isRecord, type TokenAuthData } from '../../internal';
import type { Context, DoctorCheck, Finding } from '../context';
import { apiCall, fingerprint, networkFailure, refreshRequest, type Answer } from '../http';
import { duration, NOT_CONFIGURED, when } from '../words';

/** Whether to refresh at all; a finding when not. */
function notRun(ctx: Context): Finding | null {
  const { see, target } = ctx;
  if (!ctx.options.refresh) {
    const { finding, fix } = target.words.refreshSkipped;
    return { status: 'skipped', finding, fix: see('refresh', fix) };
  }
  if (!ctx.configured || !ctx.refreshToken)
    return {
      status: 'skipped',
      finding: ctx.configured ? 'Not run: the connection has no refresh token.' : NOT_CONFIGURED,
      fix: see('refresh', 'Connect again first.'),
    };
  if (!ctx.clientOk)
    return {
      status: 'skipped',
      finding: 'Not run: the client credentials were not confirmed, and a refresh would fail the same way.',
      fix: see('refresh', 'Fix `client_credentials` first.'),
    };
  return null;
}

/** What the profile says of rotation and lifetime, held against this one answer. */
function disagreements(
  ctx: Context,
  body: Record<string, unknown>,
  fresh: TokenAuthData,
  now: number,
): string[] {
  const token = ctx.layer.profile.token;
  const field = token.lifetime.field;
  const raw = field === null ? undefined : body[field];
  const rotated = typeof body.refresh_token === 'string' && body.refresh_token !== ctx.refreshToken;
  const inAnswer = typeof body.refresh_token === 'string';
  const found: string[] = [];
  const kind = token.rotation.kind;
  if (rotated && kind === 'none')
    found.push('the refresh token rotated, but the profile says token.rotation "none"');
  if (!rotated && kind !== 'none')
    found.push(`the refresh token did not rotate, but the profile says token.rotation "${kind}"`);
  if (!inAnswer && token.refreshTokenInRefresh === 'always')
    found.push(
      'the answer carried no refresh token, but the profile says token.refreshTokenInRefresh "always"',
    );
  if (inAnswer && token.refreshTokenInRefresh === 'never')
    found.push(
      'the answer carried a refresh token, but the profile says token.refreshTokenInRefresh "never"',
    );
  if (field !== null && raw === undefined)
    found.push(`the answer has no ${field}, which the profile's token.lifetime reads`);
  // Access tokens live minutes or hours: more than a day read from the answer is, far more
  // often, a unit mistake (milliseconds read as seconds: an hour becomes 1000 hours).
  const read = fresh.expires_at ? fresh.expires_at - now : 0;
  if (field !== null && raw !== undefined && read > 24 * 3600)
    found.push(
      `${field} reads as ${duration(read)} with token.lifetime.unit "${token.lifetime.unit}": ` +
        "more than a day is rare for an access token; check the unit against the API's documentation",
    );
  return found;
}

function saved(ctx: Context, fresh: TokenAuthData): { part?: string; error?: string } {
  const save = ctx.options.saveTokens;
  if (!save) return {};
  const fields: Record<string, string> = {
    access_token: fresh.access_token,
    refresh_token: fresh.refresh_token,
    expires_at: String(fresh.expires_at),
  };
  if (fresh.scope) fields.scope = fresh.scope;
  try {
    save(fields);
    return { part: 'the new tokens were written to .env' };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A refresh answer with tokens: what it says, and whether it was kept. */
async function refreshed(ctx: Context, answer: Answer, fresh: TokenAuthData, now: number): Promise<Finding> {
  const { see, target, name } = ctx;
  ctx.secrets.add(fresh.access_token).add(fresh.refresh_token);
  const body = isRecord(answer.body) ? answer.body : {};
  const field = ctx.layer.profile.token.lifetime.field;
  const rotated = typeof body.refresh_token === 'string' && body.refresh_token !== ctx.refreshToken;
  const expiry = fresh.expires_at
    ? `${when(fresh.expires_at)} (in ${duration(fresh.expires_at - now)})`
    : '0 (unknown)';
  const parts = [
    target.words.refreshed({ status: answer.status, raw: field === null ? undefined : body[field], expiry }),
    rotated
      ? `the refresh token rotated (sha256 ${fingerprint(ctx.refreshToken)}… → ${fingerprint(fresh.refresh_token)}…); the old one is never presented again`
      : 'the refresh token did not rotate (the old one is kept, as layer/tokens.ts does)',
  ];
  const against = target.holdAgainstProfile ? disagreements(ctx, body, fresh, now) : [];
  if (against.length > 0) parts.push(`against the profile: ${against.join('; ')}`);
  const kept = saved(ctx, fresh);
  if (kept.part) parts.push(kept.part);
  if (ctx.sandbox) parts.push(await rotationProbe(ctx));
  if (kept.error !== undefined)
    // The stored refresh token is rotated out now: say so plainly rather than lose the connection quietly.
    return {
      status: 'fail',
      finding: `${parts.join('; ')}; but the new tokens could not be written to .env (${kept.error}), and the refresh token stored there was rotated out.`,
      fix: see('refresh', 'Make .env writable and connect again: `npx zapier-platform invoke auth start`.'),
    };
  if (fresh.expires_at === 0)
    return {
      status: 'warn',
      finding: `${parts.join('; ')}.`,
      fix: see('refresh', target.words.unknownExpiry),
    };
  if (against.length > 0)
    return {
      status: 'warn',
      finding: `${parts.join('; ')}.`,
      fix: see('refresh', `Correct the profile where ${name}'s answer contradicts it.`),
    };
  return { status: 'pass', finding: `${parts.join('; ')}.`, fix: '' };
}

/** Refresh a throwaway connection, then present its rotated refresh token again: grace or K8. */
async function rotationProbe(ctx: Context): Promise<string> {
  const { layer, secrets, sandbox } = ctx;
  if (!sandbox) return '';
  try {
    const throwaway = await sandbox.connect();
    secrets.add(throwaway.access_token).add(throwaway.refresh_token);
    const first = await refreshRequest(layer, throwaway.refresh_token);
    const firstBody = isRecord(first.body) ? first.body : {};
    if (typeof firstBody.access_token === 'string') secrets.add(firstBody.access_token);
    if (typeof firstBody.refresh_token === 'string') secrets.add(firstBody.refresh_token);
    // The throwaway's rotated token, presented again: exactly what the doctor never does to a real one.
    const again = await refreshRequest(layer, throwaway.refresh_token);
    const againBody = isRecord(again.body) ? again.body : {};
    const newAccess = typeof firstBody.access_token === 'string' ? firstBody.access_token : '';
    const test = ctx.calls.test;
    const alive =
      newAccess && test ? layer.classify(await apiCall(layer, test, newAccess)).kind === 'ok' : false;
    if (typeof againBody.access_token === 'string')
      return `a rotated refresh token presented again within the grace period got ${againBody.access_token === firstBody.access_token ? 'the same new pair' : 'a pair'} (grace period, K8 off)`;
    return `a rotated refresh token presented again was refused with ${typeof againBody.error === 'string' ? againBody.error : `HTTP ${again.status}`} and the grant was ${alive ? 'kept' : 'revoked'} (K8 strict rotation: two runs refreshing at once kill the connection; the integration never presents a rotated refresh token)`;
  } catch (error) {
    return `the rotation probe failed: ${networkFailure(error)}`;
  }
}

export const refresh: DoctorCheck = {
  id: 'refresh',
  shouldRun: () => true,
  restsOn: ['token.lifetime', 'token.rotation', 'token.refreshTokenInRefresh'],
  async run(ctx) {
    const skip = notRun(ctx);
    if (skip) return skip;
    const { see, name, layer } = ctx;
    try {
      const answer = await refreshRequest(layer, ctx.refreshToken);
      const now = Math.floor(Date.now() / 1000);
      const outcome = layer.normaliseTokenResponse(
        { status: answer.status, body: answer.body, contentType: answer.header('content-type') },
        {
          grant: 'refresh_token',
          previousRefreshToken: ctx.refreshToken,
          previousScope: ctx.options.authData.scope,
          nowSeconds: now,
          secrets: [...ctx.secrets],
        },
      );
      if (outcome.ok) return await refreshed(ctx, answer, outcome.authData, now);
      return {
        status: 'fail',
        finding: `The refresh was refused: ${outcome.message}`,
        fix: see(
          'refresh',
          outcome.problem === 'invalid_grant' ? `Reconnect the ${name} account.` : 'Follow the message.',
        ),
      };
    } catch (error) {
      return {
        status: 'fail',
        finding: `The refresh request failed: ${networkFailure(error)}.`,
        fix: see(
          'refresh',
          `Check ${layer.profile.endpoints.baseEnv} and the network; the connection was not changed.`,
        ),
      };
    }
  },
};
