// A provider's endpoint families (types.ts EndpointFamily): the first made of the spec's
// single-family fields, the others from spec.families. Every family shares the tokens; each
// writes its own answers, and a signal played by another family is answered with its own first.
import type { FamilySpec, ProviderSpec, ResourceAnswers } from './server-spec';
import { StandInUsageError } from './server-util';
import type { EndpointFamily } from './types';

export interface Family {
  readonly description: EndpointFamily;
  readonly answers: ResourceAnswers;
  readonly readAccessToken: ProviderSpec['readAccessToken'];
  /** The scope a request to the probe's method and path requires. */
  readonly requiredScope: (body: unknown) => string;
}

function describe(spec: FamilySpec): EndpointFamily {
  return {
    name: spec.name,
    probe: spec.probe,
    probeScope: spec.probeScope,
    expirySignals: spec.expirySignals,
    rateLimitSignals: spec.rateLimitSignals,
    scopeErrorIsExpiry: spec.scopeErrorIsExpiry === true,
    forbidden: spec.forbidden ?? 'role',
  };
}

/** The first family: the spec's own probe (a GET), signals and answers. */
function firstFamily(spec: ProviderSpec): FamilySpec {
  return {
    name: spec.familyName ?? 'api',
    probe: { method: 'GET', path: spec.probePath },
    probeScope: spec.probeScope,
    expirySignals: spec.expirySignals,
    rateLimitSignals: spec.rateLimitSignals,
    scopeErrorIsExpiry: spec.scopeErrorIsExpiry,
    forbidden: spec.forbidden,
    answers: spec.answers,
  };
}

/**
 * Every family of the spec, checked: names unique, signal names unique across families (a
 * control names one signal and so one family), each family with at least one of each signal.
 */
export function familiesOf(spec: ProviderSpec): Family[] {
  const all = [firstFamily(spec), ...(spec.families ?? [])];
  const names = new Set<string>();
  const signals = new Set<string>();
  for (const family of all) {
    if (names.has(family.name))
      throw new StandInUsageError(`${spec.provider} has two families named "${family.name}"`);
    names.add(family.name);
    if (family.expirySignals.length === 0 || family.rateLimitSignals.length === 0)
      throw new StandInUsageError(
        `${spec.provider}'s family "${family.name}" needs an expiry and a rate-limit signal`,
      );
    for (const signal of [...family.expirySignals, ...family.rateLimitSignals]) {
      if (signals.has(signal)) throw new StandInUsageError(`${spec.provider} names two signals "${signal}"`);
      signals.add(signal);
    }
  }
  return all.map((family) => ({
    description: describe(family),
    answers: family.answers,
    readAccessToken: family.readAccessToken ?? spec.readAccessToken,
    requiredScope: family.requiredScope ?? (() => family.probeScope),
  }));
}

/** What the suite can know before a stand-in starts: its families, from its spec. */
export function describeFamilies(spec: ProviderSpec): EndpointFamily[] {
  return familiesOf(spec).map((family) => family.description);
}

/** The family whose probe is this method and path. */
export function familyOfProbe(families: readonly Family[], method: string | undefined, pathname: string) {
  return families.find((f) => f.description.probe.method === method && f.description.probe.path === pathname);
}

/** The family named `name` (the first when undefined). */
export function familyNamed(families: readonly Family[], name: string | undefined): Family {
  const found = name === undefined ? families[0] : families.find((f) => f.description.name === name);
  if (!found) throw new StandInUsageError(`no endpoint family named "${String(name)}"`);
  return found;
}

/** `signal` where it is one of `list`; the list's first otherwise (another family's signal). */
export function ownSignal(signal: string, list: readonly string[]): string {
  return list.includes(signal) ? signal : (list[0] ?? signal);
}

/** `signal` (the first family's first when omitted), checked against every family's signals of that kind. */
export function checkSignal(
  provider: string,
  families: readonly Family[],
  signal: string | undefined,
  kind: 'expirySignals' | 'rateLimitSignals',
): string {
  const chosen = signal ?? families[0]?.description[kind][0];
  if (chosen === undefined || !families.some((f) => f.description[kind].includes(chosen))) {
    const what = kind === 'expirySignals' ? 'expiry signal' : 'rate-limit signal';
    throw new StandInUsageError(`${provider} has no ${what} named "${String(signal)}"`);
  }
  return chosen;
}
