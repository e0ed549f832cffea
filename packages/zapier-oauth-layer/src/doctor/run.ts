// Runs the doctor's checks (src/doctor/checks/index.ts) for one target, in order, then what
// only a sandbox can do last; every finding is redacted before it leaves (layer/redact.ts, the
// same function as for the integration's own errors and logs).
import { clientCredentialSecrets, knownExpiry, redact } from '../internal';
import { CHECKS } from './checks';
import type { Check, Context, DoctorCheck, DoctorOptions, Finding } from './context';
import type { Target } from './target';

// knownExpiry reads nothing but bundle.authData.expires_at.
function expiryOf(authData: Readonly<Record<string, string>>): number | null {
  return knownExpiry({ authData: { ...authData } } as unknown as Parameters<typeof knownExpiry>[0]);
}

function contextFor(options: DoctorOptions, target: Target): Context {
  const { authData } = options;
  const layer = target.layer;
  const secrets = new Set(
    [
      authData.access_token,
      authData.refresh_token,
      ...clientCredentialSecrets(
        layer.endpoints.configuredClientId(),
        layer.endpoints.configuredClientSecret(),
      ),
    ].filter((value): value is string => typeof value === 'string' && value !== ''),
  );
  return {
    options,
    target,
    layer,
    name: layer.profile.name,
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    see: (id, text) => `${text} See ${target.link(id)}.`,
    again: (flags) => `${target.command} ${flags}`,
    secrets,
    configured: false,
    calls: { test: null, expiry: null, legacy: null },
    tokenProbe: null,
    clientOk: false,
    accessToken: authData.access_token ?? '',
    refreshToken: authData.refresh_token ?? '',
    expiresAt: expiryOf(authData),
    testAnswer: null,
    observedExpiry: null,
  };
}

/** The fields marked UNOBSERVED in the profile (a draft) that a check's verdict rests on. */
function unverified(check: DoctorCheck, target: Target): string[] {
  const open = (target.loaded?.unobserved ?? []).map((u) => u.path).filter((p) => p !== '');
  const rests = (p: string) =>
    (check.restsOn ?? []).some((r) => p === r || p.startsWith(`${r}.`) || r.startsWith(`${p}.`));
  return [...new Set(open.filter(rests))];
}

/** Runs every check that applies, in order, and returns them as the report lists them. */
export async function runChecks(options: DoctorOptions): Promise<Check[]> {
  const { target } = options;
  const ctx = contextFor(options, target);
  const ran: Array<[DoctorCheck, Finding]> = [];
  for (const check of CHECKS.filter((c) => c.shouldRun(ctx))) ran.push([check, await check.run(ctx)]);
  for (const [check, finding] of ran) await check.finish?.(ctx, finding);
  // A verdict on a draft holds only as far as the guesses it rests on: each says which.
  for (const [check, finding] of ran) {
    const guesses = unverified(check, target);
    if (finding.status !== 'skipped' && guesses.length > 0)
      finding.finding += `${finding.finding.endsWith('.') ? '' : '.'} Unverified: rests on ${guesses.join(', ')}, marked UNOBSERVED in the profile.`;
  }
  // Belt and braces: nothing printed may carry a token or the client credentials, in any
  // encoding; each field is redacted before it is rendered as text or JSON.
  const prefixes = target.layer.profile.tokenPrefixes;
  const clean = (text: string) => redact(text, [...ctx.secrets], prefixes);
  return ran.map(([check, f]) => ({
    id: check.id,
    status: f.status,
    finding: clean(f.finding),
    fix: clean(f.fix),
  }));
}
