// `expiry_signal`: the test call's endpoint for expiry (Practice: a plain one; another API: the
// --probe) given a token that cannot be valid; what the connection's own token got if the test
// call found it expired; on a sandbox, a token that truly expired.
import { noProbe, type DoctorCheck, type Finding } from '../context';
import { expiredTokenProbe, invalidTokenProbe } from '../signal-probe';
import { FIX_CONFIG_FIRST, handling, NOT_CONFIGURED } from '../words';

export const expirySignal: DoctorCheck = {
  id: 'expiry_signal',
  shouldRun: () => true,
  restsOn: [
    'signals.codes',
    'signals.statuses',
    'signals.body.code',
    'signals.envelope',
    'signals.bearerChallenge',
  ],
  async run(ctx) {
    const { see, target } = ctx;
    if (!ctx.configured) return { status: 'skipped', finding: NOT_CONFIGURED, fix: FIX_CONFIG_FIRST };
    const call = ctx.calls.expiry;
    if (!call) return noProbe(ctx, 'expiry_signal');
    const found: Finding = await invalidTokenProbe(ctx, 'expiry_signal', call);
    const own = ctx.observedExpiry;
    if (own) {
      found.finding += ` This connection's own token was refused${target.words.refusedBy} with ${target.describe(own.answer, own.signal)}; ${handling(own.signal).text}.`;
    } else if (!ctx.sandbox) {
      // An unknown token is not an expired one: an API may answer only the latter differently.
      found.finding += ` A truly expired token may be answered differently${target.words.expiredAside}; this connection's token is not expired, so that was not observed.`;
      found.fix ||= see('expiry_signal', target.words.seeExpiry);
    }
    return found;
  },
  finish: (ctx, finding) => expiredTokenProbe(ctx, 'expiry_signal', ctx.calls.expiry, finding),
};
