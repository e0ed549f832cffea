// Profiles of real APIs, each written from its provider's documentation (sources in each
// file): proofs that the layer describes them, checked by test/conformance against the
// stand-ins in tools/standins, which were written apart from them. Tallybook is invented
// (tools/standins/tallybook.md): the record of following docs/adopting.md from scratch; so is
// Plotline (tools/standins/plotline.md), with three endpoint families.
import type { CheckedProfile } from 'zapier-oauth-layer/internal';
import { githubProfile } from './github';
import { hubspotProfile } from './hubspot';
import { microsoftProfile } from './microsoft';
import { plotlineProfile } from './plotline';
import { salesforceProfile } from './salesforce';
import { shopifyProfile } from './shopify';
import { slackProfile } from './slack';
import { tallybookProfile } from './tallybook';
import { xeroProfile } from './xero';
import { zohoProfile } from './zoho';

export const PROFILES: Readonly<Record<string, CheckedProfile>> = {
  slack: slackProfile,
  hubspot: hubspotProfile,
  salesforce: salesforceProfile,
  xero: xeroProfile,
  zoho: zohoProfile,
  github: githubProfile,
  microsoft: microsoftProfile,
  tallybook: tallybookProfile,
  plotline: plotlineProfile,
  shopify: shopifyProfile,
};
