// `npm run doctor -- --discover URL`: what an API without a profile does, observed from one
// connection and one test URL, as a draft profile. Three steps: observe (the only one that talks
// to the API: observe.ts), draft (pure: draft.ts), verify (the draft loads and reads what was
// observed as meant: verify.ts). No secret is printed or written: every string a server sent is
// redacted as data, with every token met, before it is kept (layer/redact.ts).
import { redact } from '../../internal';
import type { Branch } from '../draft';
import type { ProbeRequest } from '../http';
import { draft } from './draft';
import { observe } from './observe';
import { planOf, type DiscoverRequest } from './request';
import { verify } from './verify';

export { idFromHost } from './answers';
export { DiscoverUsageError, type DiscoverRequest } from './request';

export interface Discovery {
  id: string;
  name: string;
  /** The draft's profile, every field observed, named or marked UNOBSERVED. */
  profile: Branch;
  /** How the test URL was asked (GET, or --probe-method POST with its body). */
  probe: ProbeRequest;
  /** Which host got which kind of credential, as said before any was sent. */
  credentials: string[];
  /** What was sent, in order (no secret, no query string). */
  requests: string[];
  /** What else a person should know (failures, the tokens written to .env, the grant ended). */
  notes: string[];
  /** Every secret met, for redacting whatever is printed or written. */
  secrets: string[];
  /** Token prefixes seen, for the same. */
  prefixes: string[];
}

export async function discover(request: DiscoverRequest): Promise<Discovery> {
  const plan = planOf(request);
  const observations = await observe(plan);
  const drafted = draft(observations);
  const checked = verify(drafted.profile, observations).map((note) =>
    redact(note, observations.secrets, observations.prefixes),
  );
  return {
    id: plan.id,
    name: plan.name,
    profile: drafted.profile,
    probe: plan.probe,
    credentials: observations.credentials,
    requests: drafted.requests,
    notes: [...drafted.notes, ...checked],
    secrets: observations.secrets,
    prefixes: observations.prefixes,
  };
}
