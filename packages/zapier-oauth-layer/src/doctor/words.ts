// Phrases every check shares: how an answer refusing a token is handled, times and durations,
// and the path of a URL without its query. What differs from one API to another is not here but
// in its target (src/doctor/target.ts).
import type { Signal } from '../internal';

export const NOT_CONFIGURED = 'Not checked: the configuration is incomplete.';
export const FIX_CONFIG_FIRST = 'Fix `config` first, then run the doctor again.';

/** Headers that speak of rate limits, by the names APIs use (x-ratelimit-*, ratelimit-*, x-*limit-remaining, retry-after). */
export const RATE_LIMIT_HEADER = /rate-?limit|limit-remaining|^retry-after$/i;

/** How any API's answer says "this token is no good": the status, and the code if there is one. */
export function describeSignal(signal: Signal): string {
  if (signal.status === 401) return `HTTP 401${signal.code ? ` ${signal.code}` : ''} (standard, RFC 6750)`;
  return signal.source;
}

/** Whether the integration refreshes on this answer, and who decides. */
export function handling(signal: Signal): { handled: boolean; text: string } {
  if (signal.kind !== 'refresh') {
    return {
      handled: false,
      text: `the classifier calls it "${signal.kind}", so Zapier would NOT refresh the token`,
    };
  }
  return signal.status === 401
    ? {
        handled: true,
        text: 'handled: core raises RefreshAuthError on a 401 (http-middlewares/after/throw-for-stale-auth.js), Zapier refreshes and retries',
      }
    : {
        handled: true,
        text: 'handled: the classifier says "refresh", the middleware raises RefreshAuthError, Zapier refreshes and retries',
      };
}

export function when(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

export function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The path of a URL, without its query (which may carry anything). */
export function shownPath(url: string): string {
  return new URL(url).pathname;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * Text for a terminal: a control character (an escape sequence a server sent, a line break in a
 * code) is shown escaped, never acted on.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
