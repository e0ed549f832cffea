// What the conformance suite runs: for one profile, an app made of nothing but the layer and
// that profile (one probe trigger), the stand-in of its provider, and the environment that
// points the one at the other.
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import { practiceProfile } from '../../practice/profile';
import { PROFILES } from '../../profiles';
import { spec as githubSpec, start as github } from '../../tools/standins/github';
import { spec as plotlineSpec, start as plotline } from '../../tools/standins/plotline';
import { spec as hubspotSpec, start as hubspot } from '../../tools/standins/hubspot';
import { spec as microsoftSpec, start as microsoft } from '../../tools/standins/microsoft';
import {
  families as practiceFamilies,
  signals as practiceSignals,
  start as practice,
} from '../../tools/standins/practice';
import { spec as salesforceSpec, start as salesforce } from '../../tools/standins/salesforce';
import { describeFamilies, type ProviderSpec } from '../../tools/standins/server';
import { spec as shopifySpec, start as shopify } from '../../tools/standins/shopify';
import { spec as slackSpec, start as slack } from '../../tools/standins/slack';
import { spec as tallybookSpec, start as tallybook } from '../../tools/standins/tallybook';
import type { SuiteStandIn } from '../../tools/standins/types';
import { spec as xeroSpec, start as xero } from '../../tools/standins/xero';
import { spec as zohoSpec, start as zoho } from '../../tools/standins/zoho';

/**
 * The names of a stand-in's expiry and rate-limit answers and its endpoint families, known before
 * it starts (its spec): the suite makes one test of each, family by family, and checks the
 * running stand-in plays the same.
 */
export type Signals = Pick<SuiteStandIn, 'expirySignals' | 'rateLimitSignals' | 'families'>;

export interface Case {
  name: string;
  profile: CheckedProfile;
  start: () => Promise<SuiteStandIn>;
  signals: Signals;
}

/** What a spec says of its signals and families. */
const known = (spec: ProviderSpec): Signals => ({
  expirySignals: spec.expirySignals,
  rateLimitSignals: spec.rateLimitSignals,
  families: describeFamilies(spec),
});

/**
 * Every profile with the stand-in of its provider that --discover also drafts
 * (test/doctor/discover-conformance runs the suite on those drafts).
 */
export const CASES: Case[] = [
  {
    name: 'practice',
    profile: practiceProfile,
    start: () => practice(),
    signals: { ...practiceSignals, families: practiceFamilies },
  },
  { name: 'slack', profile: PROFILES.slack!, start: () => slack(), signals: known(slackSpec) },
  { name: 'hubspot', profile: PROFILES.hubspot!, start: () => hubspot(), signals: known(hubspotSpec) },
  {
    name: 'salesforce',
    profile: PROFILES.salesforce!,
    start: () => salesforce(),
    signals: known(salesforceSpec),
  },
  { name: 'xero', profile: PROFILES.xero!, start: () => xero(), signals: known(xeroSpec) },
  { name: 'zoho', profile: PROFILES.zoho!, start: () => zoho(), signals: known(zohoSpec) },
  { name: 'github', profile: PROFILES.github!, start: () => github(), signals: known(githubSpec) },
  {
    name: 'microsoft',
    profile: PROFILES.microsoft!,
    start: () => microsoft(),
    signals: known(microsoftSpec),
  },
  {
    name: 'tallybook',
    profile: PROFILES.tallybook!,
    start: () => tallybook(),
    signals: known(tallybookSpec),
  },
];

/**
 * And the profiles --discover does not draft today: Plotline's default scopes and three
 * families, Shopify's token header (X-Shopify-Access-Token) and its shop's host.
 */
export const ALL_CASES: Case[] = [
  ...CASES,
  { name: 'plotline', profile: PROFILES.plotline!, start: () => plotline(), signals: known(plotlineSpec) },
  { name: 'shopify', profile: PROFILES.shopify!, start: () => shopify(), signals: known(shopifySpec) },
];

export { appFor, familyProbe, pointAt, PROBE } from '../../tools/harness/profile-app';
