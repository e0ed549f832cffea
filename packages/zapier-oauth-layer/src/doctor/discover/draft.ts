// --discover's pure half: the draft profile made from what observe saw, every string a server
// sent redacted as data before it is kept (never the rendered text), every field observed,
// named, or marked UNOBSERVED with what would reveal it. No server is needed to run it.
import { createLayer, defineProfile, redact, type Profile } from '../../internal';
import { branch, cleanTree, leaf, toObject, type Branch, type DraftNode } from '../draft';
import type { Answer } from '../http';
import { duration, when } from '../words';
import { codeCandidates, expiredAgo } from './answers';
import { authorizationNode, clientNode, endpointsNode } from './draft-access';
import { signalsNode } from './draft-signals';
import { tokenNode } from './draft-token';
import type { Observations } from './request';

export interface Draft {
  profile: Branch;
  /** What was sent and what else a person should know, redacted. */
  requests: string[];
  notes: string[];
}

/** How the draft as it stands classifies an answer. */
export function classifyWith(profile: Branch, answer: Answer): string {
  return createLayer(defineProfile(toObject(profile) as Profile)).classify(answer).kind;
}

function setEntry(node: Branch, at: readonly string[], value: DraftNode): void {
  const [head, ...rest] = at;
  const entries = node.entries as Array<[string, DraftNode]>;
  const index = entries.findIndex(([k]) => k === head);
  const child = entries[index];
  if (!child || head === undefined) throw new Error(`no field ${at.join('.')} in the draft`);
  if (rest.length === 0) entries[index] = [head, value];
  else if (child[1].kind === 'object') setEntry(child[1], rest, value);
}

/** The connection's own token refused as expired: by its expires_at, or because a refresh made the same request work. */
export function expiredAnswer(obs: Observations): { answer: Answer; how: string } | null {
  const { ownRefused, success, refreshed } = obs;
  if (!ownRefused) return null;
  const ago = expiredAgo(obs.plan.request.authData, obs.nowSeconds);
  if (ago !== null) return { answer: ownRefused, how: `expired ${duration(ago)} ago by its expires_at` };
  if (refreshed && success)
    return { answer: ownRefused, how: 'refused until a refresh made the same request work' };
  return null;
}

/** What would show how the API answers an expired token, when the doctor did not see it. */
function expiryMarker(obs: Observations): string {
  const { name } = obs.plan;
  const authData = obs.plan.request.authData;
  const head = `how ${name} answers an expired token (not always as it answers an unknown one):`;
  const docs = `or read ${name}'s documentation`;
  if (!authData.access_token)
    return `${head} the connection has no access token; connect, let its token expire, run --discover again, ${docs}`;
  if (obs.ownRefused)
    return `${head} the connection's own token was refused (HTTP ${obs.ownRefused.status}) while nothing says it expired (revoked? lacking a scope?), so that answer is not taken for expiry; run --discover again with a connection whose token has expired, ${docs}`;
  const at = Number(authData.expires_at);
  return Number.isFinite(at) && at > 0
    ? `${head} the connection's token was valid; run --discover again, without --refresh, once its expires_at (${when(at)}) has passed (it then probes with the expired token), ${docs}`
    : `${head} the connection's token was valid and its expiry unknown (no expires_at); run --discover again once it has expired, ${docs}`;
}

/** The expired token's answer, read with the codes so far: its code listed where the layer would not refresh without it. */
function expiryCode(profile: Branch, obs: Observations, codes: Record<string, 'refresh'>): string {
  const expired = expiredAnswer(obs);
  if (!expired) return '';
  const { answer, how } = expired;
  const code = codeCandidates(answer.body)[0];
  const note = `Observed: an expired token (the connection's own, ${how}) gets HTTP ${answer.status}${code ? ` ${code.value}` : ''}.`;
  // A copy: defineProfile freezes what it is given.
  setEntry(profile, ['signals', 'codes'], { kind: 'value', value: { ...codes } });
  const kind = classifyWith(profile, answer);
  if (kind === 'refresh') return `${note} The layer refreshes on it as the draft stands.`;
  if (!code)
    return `${note} The layer reads it as "${kind}" and the answer holds no code to list: see signals.statuses and signals.bearerChallenge.`;
  codes[code.value] = 'refresh';
  return `${note} Listed: without it the layer would read it as "${kind}".`;
}

/**
 * signals.codes: the invalid-token code, listed only when the layer would not refresh on that
 * answer without it (a 401 is refreshed for its status; the same code on another status may mean
 * something else, as Xero's AuthenticationUnsuccessful does); then the expired token's, if seen.
 */
function setCodes(profile: Branch, obs: Observations): void {
  const { invalid } = obs;
  const code = invalid ? codeCandidates(invalid.body)[0] : undefined;
  const codes: Record<string, 'refresh'> = {};
  let note = code
    ? `Observed: an invalid token gets ${invalid ? `HTTP ${invalid.status}` : ''} ${code.value}.`
    : '';
  if (invalid && code) {
    if (classifyWith(profile, invalid) !== 'refresh') codes[code.value] = 'refresh';
    else
      note += ` Not listed: the layer refreshes on it for its status alone, and the same code on another status may mean something else.`;
  }
  const expiry = expiryCode(profile, obs, codes);
  setEntry(profile, ['signals', 'codes'], {
    kind: 'value',
    value: codes,
    unobserved:
      "the codes of other answers (a missing scope, a role's refusal, a rate limit, an outage) show only when they happen: the API's error reference; add them to the ones observed here",
    ...(expiry ? {} : { alsoUnobserved: [expiryMarker(obs)] }),
    notes: [note.trim(), expiry].filter((n) => n !== ''),
  });
}

export function draft(obs: Observations): Draft {
  const { plan } = obs;
  /** Every string that came from a server, made safe before it is kept anywhere. */
  const clean = (text: string) => redact(text, obs.secrets, obs.prefixes);
  const req = plan.request;
  const profile = branch({
    id: req.id
      ? leaf(plan.id, { notes: ['Named with --id.'] })
      : leaf(plan.id, { unobserved: "named after the test URL's host: the API's machine name (--id)" }),
    name: req.name
      ? leaf(plan.name, { notes: ['Named with --name.'] })
      : leaf(plan.name, { unobserved: "the API's name as its users read it (--name)" }),
    troubleshooting: leaf('docs/troubleshooting.md', {
      unobserved:
        "no answer names it: the API's page about its errors (https://…) or a page of this repository",
    }),
    endpoints: endpointsNode(obs),
    client: clientNode(obs, clean),
    authorization: authorizationNode(obs),
    signals: signalsNode(obs, clean),
    token: tokenNode(obs, clean),
    tokenPrefixes:
      obs.prefixes.length > 0
        ? leaf(obs.prefixes, { observed: 'the tokens seen start so (only this much of them is written)' })
        : leaf(undefined, { observed: 'the tokens seen start with no recognisable prefix' }),
    advice: leaf(undefined, {
      unobserved:
        "sentences for people (why a grant dies, who can grant a permission): the API's documentation (optional)",
    }),
  });
  setCodes(profile, obs);
  return {
    profile: cleanTree(profile, clean),
    requests: obs.requests.map(clean),
    notes: obs.notes.map(clean),
  };
}
