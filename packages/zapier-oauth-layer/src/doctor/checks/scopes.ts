// `scopes`: the granted scopes. Where the app knows which step needs which (Practice's
// practice/scopes.ts), against its steps, with how a missing scope is told (a GET with a token
// that lacks a read scope: K4); otherwise against the scopes the profile asks for.
import { scopesOf } from '../../internal';
import type { Context, DoctorCheck, Finding } from '../context';
import { apiGet, networkFailure } from '../http';
import type { StepScopes } from '../target';

const noScope = (ctx: Context, more: string): Finding => ({
  status: 'skipped',
  finding: `The connection stores no scope (authData_scope), so the granted permissions are unknown.${more}`,
  fix: ctx.see(
    'scopes',
    `Connect again with \`npx zapier-platform invoke auth start\` (it stores scope), or read the grant ${ctx.target.words.grantWhere}.`,
  ),
});

/** A token lacking a read scope, and the GET that needs it: the sandbox's narrow grant, or the connection's own. */
async function scopeProbe(ctx: Context, steps: StepScopes, granted: readonly string[]) {
  const [first] = steps.readProbes;
  if (ctx.sandbox && ctx.configured && first) {
    const narrow = await ctx.sandbox.connect(steps.narrowGrant);
    ctx.secrets.add(narrow.access_token).add(narrow.refresh_token);
    return { token: narrow.access_token, scope: first[0], path: first[1] };
  }
  if (!ctx.configured || !ctx.accessToken || granted.length === 0 || ctx.observedExpiry || !ctx.testAnswer)
    return undefined;
  const lacking = steps.readProbes.find(([scope]) => !granted.includes(scope));
  return lacking ? { token: ctx.accessToken, scope: lacking[0], path: lacking[1] } : undefined;
}

/** How the API says "missing scope" (K4), seen with a GET; it changes nothing. */
async function missingScope(ctx: Context, steps: StepScopes, granted: readonly string[]): Promise<string> {
  try {
    const probe = await scopeProbe(ctx, steps, granted);
    if (!probe) return '';
    const answer = await apiGet(ctx.layer, ctx.layer.endpoints.url(probe.path), probe.token);
    const signal = ctx.layer.classify(answer);
    const shown = probe.path.replace(/\?.*$/, '');
    return signal.kind === 'scope'
      ? ` A token without ${probe.scope} gets ${signal.source} naming ${signal.requiredScope ?? 'no scope'} on GET ${shown} (K4); handled: no refresh, the user is told to reconnect and approve "${steps.label(signal.requiredScope ?? '') ?? signal.requiredScope}".`
      : ` A token without ${probe.scope} got ${signal.source} on GET ${shown}; the classifier calls it "${signal.kind}", not a scope error.`;
  } catch (error) {
    return ` (The missing-scope probe failed: ${networkFailure(error)}.)`;
  }
}

async function stepScopes(ctx: Context, steps: StepScopes): Promise<Finding> {
  const granted = (ctx.options.authData.scope ?? '').split(/\s+/).filter(Boolean);
  const k4 = await missingScope(ctx, steps, granted);
  if (granted.length === 0) return noScope(ctx, k4);
  const lacking = steps.missing(granted);
  const noOffline = !granted.includes(steps.offline.scope);
  const missingScopes = [...new Set(lacking.flatMap((l) => l.missing))];
  const finding =
    `Granted: ${granted.join(' ')}.` +
    (lacking.length > 0
      ? ` These steps will fail with a missing-permission error: ${lacking.map((l) => `${l.step} (needs ${l.missing.join(' ')})`).join(', ')}.`
      : ' Every step has the scopes it needs.') +
    (noOffline ? steps.offline.finding : '') +
    k4;
  const keep = [...missingScopes, ...(noOffline ? [steps.offline.scope] : [])]
    .filter((s, i, all) => all.indexOf(s) === i)
    .map((s) => `"${steps.label(s) ?? s}"`)
    .join(', ');
  return {
    status: noOffline ? 'fail' : lacking.length > 0 ? 'warn' : 'pass',
    finding,
    fix:
      lacking.length > 0 || noOffline
        ? ctx.see(
            'scopes',
            `Reconnect the ${ctx.name} account and keep ${keep} ticked; a refresh never widens scope.`,
          )
        : '',
  };
}

function profileScopes(ctx: Context): Finding {
  const { name } = ctx;
  const profile = ctx.layer.profile;
  const granted = scopesOf(profile, ctx.options.authData.scope ?? '');
  const steps = ` Which step needs which scope is known for Practice only (practice/scopes.ts): for ${name} that part is skipped, and no missing-scope answer is provoked.`;
  if (granted.length === 0) return noScope(ctx, steps);
  const missing = profile.authorization.scopes.filter((scope) => !granted.includes(scope));
  const labelOf = (scope: string) => profile.authorization.scopeLabels?.[scope] ?? scope;
  return {
    status: missing.length > 0 ? 'warn' : 'pass',
    finding:
      `Granted: ${granted.join(profile.authorization.scopeSeparator)}.` +
      (missing.length > 0
        ? ` The profile also asks for ${missing.join(', ')}, not granted: requests that need ${missing.length === 1 ? 'it' : 'them'} get a missing-permission error.`
        : ' Every scope the profile asks for was granted.') +
      steps,
    fix:
      missing.length > 0
        ? ctx.see(
            'scopes',
            `Reconnect the ${name} account and approve ${missing.map((s) => `"${labelOf(s)}"`).join(', ')}; a refresh never widens scope.`,
          )
        : '',
  };
}

export const scopes: DoctorCheck = {
  id: 'scopes',
  shouldRun: () => true,
  restsOn: ['authorization.scopes', 'authorization.scopeSeparator'],
  run: (ctx) => (ctx.target.steps ? stepScopes(ctx, ctx.target.steps) : profileScopes(ctx)),
};
