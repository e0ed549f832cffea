// `clock`: this machine's clock against the API's Date header on the test call's answer.
import { EXPIRY_SKEW_SECONDS } from '../../internal';
import type { Context, DoctorCheck, Finding } from '../context';
import { duration } from '../words';

function compared(ctx: Context, receivedAtMs: number, serverMs: number): Finding {
  // Date has whole seconds: a second either way is resolution, not skew.
  const skew = Math.round((receivedAtMs - serverMs) / 1000);
  const serverNow = Math.floor(serverMs / 1000);
  const expiresAt = ctx.expiresAt;
  const left =
    expiresAt !== null
      ? ` By the API's clock this connection's expires_at is ${expiresAt - serverNow >= 0 ? `${duration(expiresAt - serverNow)} away` : `${duration(serverNow - expiresAt)} past`}.`
      : '';
  if (Math.abs(skew) <= 1)
    return {
      status: 'pass',
      finding: `The local clock agrees with the API's Date header (within its 1 s resolution).${left}`,
      fix: '',
    };
  const effect =
    skew > 0
      ? `expires_at (computed from this clock) is ${skew} s early: tokens are refreshed ${skew} s sooner than needed, which is harmless`
      : `expires_at (computed from this clock) is ${-skew} s late: ${-skew > EXPIRY_SKEW_SECONDS ? `beyond the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin, a step can hit a dead token and pay one refused request before the refresh` : `within the ${EXPIRY_SKEW_SECONDS} s refresh-ahead margin`}`;
  const far = Math.abs(skew) > EXPIRY_SKEW_SECONDS;
  return {
    status: far ? 'warn' : 'pass',
    finding: `The local clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the API's Date header; ${effect}.${left}`,
    fix: far
      ? ctx.see('clock', "Synchronise this machine's clock (NTP). Zapier's servers keep theirs in sync.")
      : '',
  };
}

export const clock: DoctorCheck = {
  id: 'clock',
  shouldRun: () => true,
  run(ctx) {
    const dated = ctx.testAnswer;
    const dateHeader = dated?.header('date');
    const serverMs = dateHeader ? Date.parse(dateHeader) : NaN;
    if (dated && !Number.isNaN(serverMs)) return compared(ctx, dated.receivedAtMs, serverMs);
    return {
      status: 'skipped',
      finding: dated
        ? 'The API sent no readable Date header.'
        : `Not checked: no answer from ${ctx.target.words.testShort} to read a Date header from.`,
      fix: ctx.see('clock', 'Compare `date -u` with an NTP source by hand.'),
    };
  },
};
