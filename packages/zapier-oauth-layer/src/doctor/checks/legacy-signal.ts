// `legacy_signal`: endpoints of the app's own that answer differently (Practice's legacy ones
// answer in an ok:false envelope, K2), given a token that cannot be valid; on a sandbox, a token
// that truly expired. Skipped, saying why, for an API with none.
import type { DoctorCheck } from '../context';
import { expiredTokenProbe, invalidTokenProbe } from '../signal-probe';
import { FIX_CONFIG_FIRST, NOT_CONFIGURED } from '../words';

export const legacySignal: DoctorCheck = {
  id: 'legacy_signal',
  shouldRun: () => true,
  restsOn: ['signals.envelope', 'signals.codes'],
  run(ctx) {
    const { name } = ctx;
    if (!ctx.target.own?.legacy) {
      const envelope = ctx.layer.profile.signals.envelope;
      return {
        status: 'skipped',
        finding: `Skipped for ${name}: legacy endpoints that answer in an ok:false envelope (K2) are Practice's. expiry_signal covers the endpoint --probe names${envelope ? `, ${name}'s own envelope (${envelope.path}) included` : ''}.`,
        fix: ctx.see(
          'legacy_signal',
          `If ${name} answers some endpoints differently, run the doctor again with --probe naming one.`,
        ),
      };
    }
    const call = ctx.calls.legacy;
    if (!ctx.configured || !call)
      return { status: 'skipped', finding: NOT_CONFIGURED, fix: FIX_CONFIG_FIRST };
    return invalidTokenProbe(ctx, 'legacy_signal', call);
  },
  finish: (ctx, finding) => expiredTokenProbe(ctx, 'legacy_signal', ctx.calls.legacy, finding),
};
