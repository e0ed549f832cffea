// The draft's token section: how the token endpoint refuses (its status, where its code and
// text are, what its own codes mean), what a refresh answer holds (lifetime, token type, fields
// worth keeping) and what rotation it showed. Pure.
import type { TokenProblem } from '../../internal';
import { branch, leaf, type DraftNode } from '../draft';
import {
  codeCandidates,
  LIFETIME_FIELDS,
  messagePath,
  readNumber,
  RFC_TOKEN_ERRORS,
  snippet,
  unitOf,
} from './answers';
import type { Observations } from './request';

type Clean = (text: string) => string;

const NO_TOKEN_ANSWER =
  'a refresh at the token endpoint with a refresh token that cannot exist (--token-url and the client credentials)';

/** Where the token endpoint's refusal keeps its code, and what the provider's own code means. */
function refusalOf(obs: Observations) {
  const candidates = obs.tokenProbe ? codeCandidates(obs.tokenProbe.body) : [];
  const rfc = candidates.find((c) => c.path === 'error' && RFC_TOKEN_ERRORS.has(c.value));
  const own = candidates.find((c) => c.path !== 'error');
  // RFC 6749's "error" with one of its codes is read wherever it is: a provider's own code beside
  // it (HubSpot's "status", kept "for backward compatibility" since its OAuth errors carry both,
  // developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses)
  // is noted, and the profile leaves errorCode to its RFC default.
  const code = rfc ?? candidates[0];
  const codes: Record<string, TokenProblem> = {};
  // A code of the provider's own, alone: a refresh token that cannot exist is a dead grant.
  if (code && !RFC_TOKEN_ERRORS.has(code.value)) codes[code.value] = 'invalid_grant';
  return { rfc: rfc && own ? rfc : undefined, own, code, codes };
}

function refusalNodes(obs: Observations, clean: Clean): Record<string, DraftNode> {
  const probe = obs.tokenProbe;
  const { rfc, own, code, codes } = refusalOf(obs);
  const seen = probe ? `HTTP ${probe.status} ${snippet(probe.body, probe.content, clean)}` : '';
  const description = probe ? messagePath(probe.body, code?.path) : undefined;
  return {
    errorCode: code
      ? leaf(code.path, {
          observed: `a refresh token that cannot exist got ${seen}`,
          notes:
            rfc && own
              ? [
                  `The answer also carried the provider's own "${own.path}": "${own.value}"; RFC 6749's "error": "${rfc.value}" says the same and is read.`,
                ]
              : [],
        })
      : leaf('error', {
          unobserved: probe ? `the refusal (${seen}) holds no recognisable code` : NO_TOKEN_ANSWER,
        }),
    errorDescription: description
      ? leaf(description, { observed: 'the same refusal' })
      : leaf('error_description', {
          unobserved: probe ? 'the refusal carried no description' : NO_TOKEN_ANSWER,
        }),
    errorsAs200: probe
      ? leaf(probe.status === 200, {
          observed:
            probe.status === 200
              ? 'the refusal came with HTTP 200'
              : `the refusal came with HTTP ${probe.status} (other errors may still come as 200: true is the safe value when unsure)`,
        })
      : leaf(true, { unobserved: `${NO_TOKEN_ANSWER}; true is safe: errors are read in any answer` }),
    codes: leaf(codes, {
      unobserved:
        "the codes of other token errors (a wrong client secret, a used code, throttling): the API's OAuth error reference; add them to the ones observed here",
      notes:
        Object.keys(codes).length > 0
          ? [`Observed: a refresh token that cannot exist is refused with "${Object.keys(codes)[0]}".`]
          : [],
    }),
  };
}

/**
 * Fields of a refresh answer worth keeping in authData (instance_url, api_domain): only names a
 * profile can hold (token.keep takes top-level field names; anything else a server sends as a key
 * is left out, and named in the note as observed).
 */
function keepFieldsOf(body: Record<string, unknown>): string[] {
  return Object.entries(body)
    .filter(
      ([k, v]) =>
        typeof v === 'string' &&
        /^[A-Za-z_][\w-]*$/.test(k) &&
        /_url$|_domain$|_uri$|^instance|^api_/i.test(k) &&
        !/^error/.test(k) &&
        !['access_token', 'refresh_token', 'id_token', 'scope', 'token_type'].includes(k),
    )
    .map(([k]) => k);
}

function answerNodes(obs: Observations): Record<string, DraftNode> {
  const { refreshed, reuse, plan } = obs;
  const typeSeen = refreshed?.body.token_type;
  const keep = refreshed ? keepFieldsOf(refreshed.body) : [];
  return {
    tokenTypes:
      typeof typeSeen === 'string' && typeSeen !== ''
        ? leaf([typeSeen.toLowerCase()], { observed: `the refresh answer's token_type "${typeSeen}"` })
        : refreshed
          ? leaf(['bearer'], { observed: 'the refresh answer has no token_type (any is accepted then)' })
          : leaf(['bearer'], { unobserved: 'a real token answer (token_type): --refresh' }),
    lifetime: lifetimeNode(obs),
    rotation: rotationNode(
      refreshed,
      plan.request.authData.refresh_token ?? '',
      reuse,
      plan.request.probeReuse,
      plan.name,
    ),
    refreshTokenInRefresh: refreshed
      ? leaf(refreshed.refresh ? 'always' : 'never', {
          observed: refreshed.refresh
            ? 'the refresh answer carried a refresh token (one answer seen)'
            : 'the refresh answer carried no refresh token (one answer seen; "sometimes" if others do)',
        })
      : leaf('sometimes', { unobserved: 'a refresh answer: --refresh' }),
    keep: refreshed
      ? leaf(keep.length > 0 ? keep : undefined, {
          observed: `the refresh answer's fields: ${Object.keys(refreshed.body).join(', ')}`,
        })
      : leaf(undefined, {
          unobserved: "a refresh answer's other fields (instance_url, api_domain): --refresh",
        }),
  };
}

export function tokenNode(obs: Observations, clean: Clean): DraftNode {
  return branch({ ...refusalNodes(obs, clean), ...answerNodes(obs) });
}

/** token.lifetime: from the refresh answer, or the stored authData when it is a raw token answer. */
export function lifetimeNode(obs: Observations): DraftNode {
  const { refreshed } = obs;
  const req = obs.plan.request;
  const name = obs.plan.name;
  const from = (
    body: Record<string, unknown>,
    nowS: number,
    where: string,
    typeKnown: boolean,
  ): DraftNode => {
    const field = Object.keys(body).find((k) => LIFETIME_FIELDS.test(k) && readNumber(body[k]) !== null);
    if (field === undefined) {
      return branch(
        {
          field: leaf(null, { observed: `${where} names no lifetime (${Object.keys(body).join(', ')})` }),
          unit: leaf('seconds', { notes: ['Unused while field is null.'] }),
          assumeSeconds: leaf(3600, {
            unobserved: `how long ${name}'s access tokens live (its documentation, or a token refused after some time); a shorter guess only refreshes sooner`,
          }),
        },
        {},
      );
    }
    const raw = body[field];
    const value = readNumber(raw) ?? 0;
    const { unit, why, certain } = unitOf(field, value, nowS);
    return branch({
      field: leaf(field, {
        observed: `${where}: "${field}" is ${typeKnown ? (typeof raw === 'string' ? `a string "${raw}" (read as a number all the same)` : `a number ${String(raw)}`) : `"${String(raw)}" (its JSON type is not kept in .env: unobserved, and read either way)`}`,
      }),
      unit: certain
        ? leaf(unit, { observed: why })
        : leaf(unit, {
            unobserved: `${why}: ${name}'s documentation says which, or a token refused after that long`,
          }),
      assumeSeconds: leaf(null, { notes: ['The answer names the lifetime: nothing to assume.'] }),
    });
  };
  if (refreshed) return from(refreshed.body, refreshed.receivedAtS, 'the refresh answer', true);
  // authData as the layer stores it (expires_at, expires_in in seconds) says nothing of the API's
  // field; authData that keeps token_type is the token answer as the API sent it.
  if (req.authData.token_type !== undefined) {
    const stored: Record<string, unknown> = { ...req.authData };
    return from(
      stored,
      obs.nowSeconds,
      'the stored authData (a raw token answer: it keeps token_type)',
      false,
    );
  }
  return leaf(
    { field: 'expires_in', unit: 'seconds', assumeSeconds: null },
    {
      unobserved: `a real token answer: --refresh (the stored authData${req.authData.expires_in !== undefined ? `'s expires_in is what this app stored, in seconds, not necessarily what ${name} sent` : ' names no lifetime'})`,
    },
  );
}

/** token.rotation: none, or a new refresh token each refresh (and with --probe-reuse, what reuse does). */
export function rotationNode(
  refreshed: { refresh: string | null } | null,
  previous: string,
  reuse: { accepted: boolean; newestWorks: boolean | null; detail: string } | null,
  probeReuse: boolean,
  name: string,
): DraftNode {
  if (!refreshed)
    return leaf({ kind: 'strict' }, { unobserved: 'a refresh: --refresh (strict is the safe guess)' });
  if (refreshed.refresh === null || refreshed.refresh === previous) {
    return leaf(
      { kind: 'none' },
      {
        observed:
          refreshed.refresh === null
            ? 'the refresh answer carried no refresh token: the one the connection has stays'
            : 'the refresh answer repeated the same refresh token',
      },
    );
  }
  if (!reuse) {
    return leaf(
      { kind: 'strict' },
      {
        unobserved: `new token each refresh; reuse behaviour unobserved: ${probeReuse ? 'the reuse probe could not run' : '--refresh --probe-reuse (which ends the grant under strict rotation)'} or ${name}'s documentation (always, grace, single-use or strict; strict is the safe guess)`,
      },
    );
  }
  if (reuse.accepted) {
    return leaf(
      { kind: 'always' },
      {
        unobserved: `a new token each refresh, and the rotated-away one still worked right after (${reuse.detail}): "always", or "grace" (with graceSeconds) if it stops working after a while, which only waiting or ${name}'s documentation shows`,
      },
    );
  }
  if (reuse.newestWorks === true) {
    return leaf(
      { kind: 'single-use' },
      {
        observed: `a new token each refresh; the rotated-away one was refused (${reuse.detail}) and the newest still worked`,
      },
    );
  }
  if (reuse.newestWorks === false) {
    return leaf(
      { kind: 'strict' },
      {
        observed: `a new token each refresh; the rotated-away one was refused (${reuse.detail}) and then the newest too: the grant ended`,
      },
    );
  }
  return leaf(
    { kind: 'strict' },
    {
      unobserved: `the rotated-away refresh token was refused (${reuse.detail}); whether the grant lives on (single-use) or ended (strict) is unobserved`,
    },
  );
}
