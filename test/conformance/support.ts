// What the conformance suite runs: every profile of the repository with the stand-in of its
// provider, given to the kit (zapier-oauth-layer/conformance) as an adopter gives it theirs: the
// stand-in's spec, or (the Practice sandbox, which is no spec) how to start it and its signals.
import type { CustomStandIn, Signals } from 'zapier-oauth-layer/conformance';
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import { describeFamilies, type ProviderSpec, type SuiteStandIn } from 'zapier-oauth-layer/standin';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';
import { spec as githubSpec, start as github } from '../../tools/standins/github';
import { spec as hubspotSpec, start as hubspot } from '../../tools/standins/hubspot';
import { spec as microsoftSpec, start as microsoft } from '../../tools/standins/microsoft';
import { spec as plotlineSpec, start as plotline } from '../../tools/standins/plotline';
import {
  families as practiceFamilies,
  signals as practiceSignals,
  start as practice,
} from '../../tools/standins/practice';
import { spec as salesforceSpec, start as salesforce } from '../../tools/standins/salesforce';
import { spec as shopifySpec, start as shopify } from '../../tools/standins/shopify';
import { spec as slackSpec, start as slack } from '../../tools/standins/slack';
import { spec as tallybookSpec, start as tallybook } from '../../tools/standins/tallybook';
import { spec as xeroSpec, start as xero } from '../../tools/standins/xero';
import { spec as zohoSpec, start as zoho } from '../../tools/standins/zoho';

export type { Signals };

export interface Case {
  name: string;
  profile: CheckedProfile;
  /** What the kit is given: the stand-in's spec, or a stand-in of another kind. */
  standIn: ProviderSpec | CustomStandIn;
  /** The same stand-in started on its own, and its signals (the doctor's tests drive it themselves). */
  start: () => Promise<SuiteStandIn>;
  signals: Signals;
}

/** A case of a spec's stand-in: `start` is the provider file's own. */
const specCase = (
  name: string,
  profile: CheckedProfile,
  spec: ProviderSpec,
  start: () => Promise<SuiteStandIn>,
): Case => ({
  name,
  profile,
  standIn: spec,
  start,
  signals: {
    expirySignals: spec.expirySignals,
    rateLimitSignals: spec.rateLimitSignals,
    families: describeFamilies(spec),
  },
});

const practiceStandIn: CustomStandIn = {
  start: () => practice(),
  signals: { ...practiceSignals, families: practiceFamilies },
};

/**
 * Every profile with the stand-in of its provider that --discover also drafts
 * (test/doctor/discover-conformance runs the suite on those drafts).
 */
export const CASES: Case[] = [
  { name: 'practice', profile: practiceProfile, standIn: practiceStandIn, ...practiceStandIn },
  specCase('slack', PROFILES.slack!, slackSpec, () => slack()),
  specCase('hubspot', PROFILES.hubspot!, hubspotSpec, () => hubspot()),
  specCase('salesforce', PROFILES.salesforce!, salesforceSpec, () => salesforce()),
  specCase('xero', PROFILES.xero!, xeroSpec, () => xero()),
  specCase('zoho', PROFILES.zoho!, zohoSpec, () => zoho()),
  specCase('github', PROFILES.github!, githubSpec, () => github()),
  specCase('microsoft', PROFILES.microsoft!, microsoftSpec, () => microsoft()),
  specCase('tallybook', PROFILES.tallybook!, tallybookSpec, () => tallybook()),
];

/**
 * And the profiles --discover does not draft today: Plotline's default scopes and three
 * families, Shopify's token header (X-Shopify-Access-Token) and its shop's host.
 */
export const ALL_CASES: Case[] = [
  ...CASES,
  specCase('plotline', PROFILES.plotline!, plotlineSpec, () => plotline()),
  specCase('shopify', PROFILES.shopify!, shopifySpec, () => shopify()),
];

export { appFor, familyProbe, pointAt, PROBE } from 'zapier-oauth-layer/conformance';
