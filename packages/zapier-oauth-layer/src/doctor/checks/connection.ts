// `connection`: the stored tokens (fingerprints only) and what expires_at says.
import { EXPIRY_SKEW_SECONDS } from '../../internal';
import type { Context, DoctorCheck, Finding } from '../context';
import { fingerprint } from '../http';
import { duration, nowSeconds, when } from '../words';

function expiry(ctx: Context): { part: string; warn: boolean; fix: string } {
  const { expiresAt, see, again, name } = ctx;
  if (expiresAt === null) {
    const stored = ctx.options.authData.expires_at;
    return {
      part: `expires_at ${stored === undefined ? 'absent' : `"${stored}"`}: expiry unknown, so the integration learns of it only from the API's answer (one extra request per expiry)`,
      warn: true,
      fix: see(
        'connection',
        `Nothing needed; a refresh (\`${again('--refresh')}\`) stores a known expires_at.`,
      ),
    };
  }
  if (expiresAt <= nowSeconds()) {
    return {
      part: `expires_at ${when(expiresAt)}: expired ${duration(nowSeconds() - expiresAt)} ago; the next step refreshes before calling ${name} (refreshBeforeExpiry)`,
      warn: true,
      fix: see(
        'connection',
        `Nothing needed on Zapier; locally run \`${again('--refresh')}\` or \`npx zapier-platform invoke auth refresh\`.`,
      ),
    };
  }
  const left = expiresAt - nowSeconds();
  return {
    part: `expires_at ${when(expiresAt)}: valid for ${duration(left)}${left < EXPIRY_SKEW_SECONDS ? `, inside the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin` : ''}`,
    warn: false,
    fix: '',
  };
}

export const connection: DoctorCheck = {
  id: 'connection',
  shouldRun: () => true,
  restsOn: ['token.lifetime'],
  run(ctx): Finding {
    const { accessToken, refreshToken } = ctx;
    const { part, warn, fix } = expiry(ctx);
    const finding = `${[
      accessToken ? `access token sha256 ${fingerprint(accessToken)}…` : 'no access token',
      refreshToken ? `refresh token sha256 ${fingerprint(refreshToken)}…` : 'no refresh token',
      part,
    ].join('; ')}.`;
    if (accessToken && refreshToken) return { status: warn ? 'warn' : 'pass', finding, fix };
    return {
      status: 'fail',
      finding,
      fix: ctx.see(
        'connection',
        refreshToken
          ? 'Connect again: `npx zapier-platform invoke auth start` writes authData_* to .env.'
          : `Without a refresh token the connection dies with its access token: connect again (\`npx zapier-platform invoke auth start\`) and ${ctx.target.words.offline}.`,
      ),
    };
  },
};
