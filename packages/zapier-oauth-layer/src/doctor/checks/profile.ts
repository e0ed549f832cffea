// `profile` (--profile only, first): the profile loads and is sound, and how many of its
// behaviours a draft still marks UNOBSERVED (unverified), and which.
import type { DoctorCheck } from '../context';

export const profile: DoctorCheck = {
  id: 'profile',
  shouldRun: (ctx) => ctx.target.loaded !== undefined,
  run(ctx) {
    const loaded = ctx.target.loaded;
    const p = ctx.layer.profile;
    const head = `Profile "${p.id}" (${p.name}) from ${loaded?.label ?? ''} loads and is sound (layer/profile.ts profileProblems finds nothing)`;
    const open = loaded?.unobserved ?? [];
    if (open.length === 0)
      return { status: 'pass', finding: `${head}; no field is marked UNOBSERVED.`, fix: '' };
    const list = open.map((u) => `${u.path || '(above no field)'} (line ${u.line}: ${u.reveal})`).join('; ');
    return {
      status: 'warn',
      finding: `${head}, but it is a draft: ${open.length} behaviour${open.length === 1 ? ' is' : 's are'} unverified (marked UNOBSERVED, ${open.length === 1 ? 'its value a placeholder' : 'their values placeholders'}), and every check below holds only as far as they are right: ${list}.`,
      fix: ctx.see(
        'profile',
        `Complete each marked field from ${p.name}'s documentation or by observing it, then delete its marker.`,
      ),
    };
  },
};
