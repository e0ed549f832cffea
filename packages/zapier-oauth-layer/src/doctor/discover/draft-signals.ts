// The draft's signals: how the API says a token is no good (the invalid-token answer against the
// success answer), its envelope, its rate-limit and scope headers. Pure.
import { parseBearerChallenge } from '../../internal';
import { branch, leaf, type DraftNode } from '../draft';
import type { Answer } from '../http';
import { RATE_LIMIT_HEADER } from '../words';
import { codeCandidates, envelopeOf, messagePath, snippet, valueOf } from './answers';
import type { Observations } from './request';

type Clean = (text: string) => string;

function bodyNode(obs: Observations, clean: Clean): DraftNode {
  const { invalid } = obs;
  const shown = obs.plan.shown;
  const invalidCode = invalid ? codeCandidates(invalid.body)[0] : undefined;
  const seen = invalid ? `HTTP ${invalid.status} ${snippet(invalid.body, invalid.content, clean)}` : '';
  const codeNeeded = envelopeOf(obs.success, invalid) !== null && invalidCode === undefined;
  const code: DraftNode = !invalid
    ? leaf(undefined, {
        unobserved: `an error answer of ${obs.plan.name}: ${shown} with an invalid token failed`,
      })
    : invalidCode
      ? leaf(invalidCode.path, { observed: `${shown} with an invalid token: ${seen}` })
      : codeNeeded
        ? leaf('error', {
            unobserved: `the failure answer (${seen}) holds no recognisable code, but its envelope needs one: the API's error reference`,
          })
        : leaf(undefined, { observed: `no field of the invalid-token answer holds a code: ${seen}` });
  const message = invalid ? messagePath(invalid.body, invalidCode?.path) : undefined;
  return branch({
    code,
    message: invalid
      ? leaf(message, {
          observed: message ? 'the invalid-token answer' : 'no text field in the invalid-token answer',
        })
      : leaf(undefined, { unobserved: 'an error answer' }),
    requiredScope: leaf(undefined, {
      unobserved: 'a missing-scope answer: GET an endpoint with a connection that lacks its scope',
    }),
    grantedScope: leaf(undefined, { unobserved: 'a missing-scope answer (see requiredScope)' }),
    fields: leaf(undefined, {
      unobserved: "a validation error (the doctor sends no writes): the API's error reference",
    }),
    field: leaf(undefined, {
      unobserved:
        "a validation error that names one field beside its message, if the API's are so (see fields)",
    }),
    existingId: leaf(undefined, {
      unobserved: "a conflict answer (the doctor sends no writes): the API's error reference",
    }),
    retryAfter: leaf(undefined, { unobserved: 'a throttled answer that says the wait in its body' }),
  });
}

/** Whether an answer was itself throttled: a 429, or an error with its remaining header at 0. */
function throttled(answer: Answer, remaining: string): boolean {
  const { status } = answer;
  return status === 429 || (status >= 400 && status !== 401 && answer.header(remaining)?.trim() === '0');
}

/**
 * signals.rateLimitHeaders. The remaining header is observed wherever it was seen; what a throttled
 * answer carries (its status, a header saying when to retry, and its unit) only on a throttled
 * answer: seen on answers that were not, it stays UNOBSERVED, its placeholder what they showed.
 */
function rateLimitNode(obs: Observations): DraftNode {
  const { name } = obs.plan;
  const shown = obs.plan.shown;
  const answer: Answer | null = obs.success ?? obs.invalid;
  if (!answer) return leaf(undefined, { unobserved: `any answer's headers: ${shown} failed` });
  const names = answer.headerNames.filter((n) => RATE_LIMIT_HEADER.test(n));
  const remaining = names.find((n) => n === 'x-ratelimit-remaining' || n === 'ratelimit-remaining');
  const reset = names.find((n) => n === 'x-ratelimit-reset' || n === 'ratelimit-reset');
  const others = names.filter((n) => n !== remaining && n !== reset);
  const seenOn = obs.success ? `${shown} (a normal answer)` : `${shown} (the invalid-token answer)`;
  if (!remaining)
    return leaf(undefined, {
      observed: `${seenOn} carried no x-ratelimit-remaining or ratelimit-remaining${others.length > 0 ? ` (seen: ${others.join(', ')}; a 429 is throttled whatever they say)` : ''}`,
    });
  const value = reset ? (answer.header(reset) ?? '') : '';
  const unit = Number(value) > 1e9 ? 'epoch-seconds' : 'seconds';
  const when = `a throttled answer, or ${name}'s documentation of its rate limits`;
  const isThrottled = throttled(answer, remaining);
  const resetSeen = reset
    ? `${seenOn} carried ${reset}: ${value.slice(0, 20)}`
    : `no answer seen carried x-ratelimit-reset or ratelimit-reset`;
  return branch({
    statuses: !isThrottled
      ? leaf(undefined, {
          unobserved: `the status a throttled answer comes with (403 and 429 are read when this is left out): ${when}`,
        })
      : [403, 429].includes(answer.status)
        ? leaf(undefined, {
            observed: `${seenOn} was throttled with HTTP ${answer.status}, read when this is left out`,
          })
        : leaf([answer.status], { observed: `${seenOn} was throttled with HTTP ${answer.status}` }),
    remainingHeader: leaf(remaining, {
      observed: `${seenOn} carried ${remaining}`,
      notes: others.length > 0 ? [`Also seen: ${others.join(', ')}.`] : [],
    }),
    resetHeader:
      isThrottled && reset
        ? leaf(reset, { observed: `${seenOn}, throttled, carried ${reset}` })
        : leaf(reset, {
            unobserved: `the header a throttled answer says when to retry in (without one Zapier retries when it decides): ${resetSeen}, but that answer was not throttled; ${when}`,
          }),
    resetUnit: !reset
      ? leaf(undefined, { notes: ['Goes with resetHeader.'] })
      : isThrottled
        ? leaf(unit, {
            observed: `${value.slice(0, 20)} read as ${unit === 'epoch-seconds' ? 'a moment in epoch seconds' : 'seconds'}`,
          })
        : leaf(unit, {
            unobserved: `goes with resetHeader: ${value.slice(0, 20)} would read as ${unit === 'epoch-seconds' ? 'a moment in epoch seconds' : 'seconds from now'}; ${when}`,
          }),
  });
}

function scopeHeadersNode(obs: Observations): DraftNode {
  const names = obs.success?.headerNames ?? [];
  return names.includes('x-oauth-scopes') && names.includes('x-accepted-oauth-scopes')
    ? leaf(
        { accepted: 'x-accepted-oauth-scopes', granted: 'x-oauth-scopes' },
        {
          observed: `${obs.plan.shown} names the token's scopes and the ones the call accepts in headers`,
        },
      )
    : leaf(undefined, {
        unobserved:
          'headers naming the scopes a call accepts and the ones the token has (GitHub, Slack): a missing-scope answer',
      });
}

function envelopeNode(obs: Observations): DraftNode {
  const { invalid, success } = obs;
  if (!invalid)
    return leaf(undefined, { unobserved: 'an error answer and a success answer of the test URL' });
  const envelope = envelopeOf(success, invalid);
  if (!envelope)
    return leaf(undefined, {
      observed: `none: ${success ? 'no field flags success in one answer and failure in the other' : 'the invalid-token answer flags no failure in its body'}`,
    });
  return leaf(envelope, {
    observed: `the invalid-token answer has "${envelope.path}": ${JSON.stringify(envelope.failure)}${success ? `, the success answer "${envelope.path}": ${JSON.stringify(valueOf(success.body, envelope.path))}` : ' on a 2xx'}`,
  });
}

/** signals, but for its codes table: that needs the rest of the draft (src/doctor/discover/draft.ts). */
export function signalsNode(obs: Observations, clean: Clean): DraftNode {
  const { invalid } = obs;
  const challenge = invalid ? parseBearerChallenge(invalid.header('www-authenticate')) : {};
  return branch({
    body: bodyNode(obs, clean),
    envelope: envelopeNode(obs),
    codes: leaf({}, { unobserved: '' }),
    statuses: leaf(undefined, {
      unobserved:
        "statuses whose meaning differs from HTTP's (see DEFAULT_STATUS_KINDS): only their answers show it",
    }),
    bearerChallenge: invalid
      ? leaf(typeof challenge.error === 'string', {
          observed:
            typeof challenge.error === 'string'
              ? `the invalid-token answer carried a Bearer challenge in WWW-Authenticate, error="${challenge.error}"`
              : 'the invalid-token answer carried no Bearer challenge with an error',
        })
      : leaf(false, { unobserved: 'an invalid-token answer (WWW-Authenticate)' }),
    rateLimitHeaders: rateLimitNode(obs),
    throttledWithRetryAfter: leaf(undefined, {
      unobserved: 'a throttled answer with a status other than 429 (GitHub: 403 with Retry-After)',
    }),
    scopeHeaders: scopeHeadersNode(obs),
  });
}
