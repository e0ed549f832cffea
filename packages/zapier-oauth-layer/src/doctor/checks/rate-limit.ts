// `rate_limit`: the rate-limit headers of the test call's answer, whether the profile reads one,
// whether the connection is throttled now; on a sandbox, a throttled request forced (K3).
import type { Context, DoctorCheck, Finding } from '../context';
import { apiCall, networkFailure, type Answer } from '../http';

/** What the test call's answer says of limits, and whether the connection is throttled now. */
function fromAnswer(ctx: Context, answer: Answer, shown: string): { parts: string[]; throttled: boolean } {
  const parts = [ctx.target.words.rateHeaders(answer, shown)];
  const rule = ctx.layer.profile.signals.rateLimitHeaders;
  if (rule)
    parts.push(
      answer.headerNames.includes(rule.remainingHeader.toLowerCase())
        ? `the profile reads ${rule.remainingHeader}: 0 as throttled, whatever the status`
        : `the profile reads ${rule.remainingHeader}, which this answer did not carry`,
    );
  const signal = ctx.layer.classify(answer);
  if (signal.kind !== 'throttled') return { parts, throttled: false };
  parts.push(
    `the connection is being throttled right now (${signal.source}, Retry-After ${answer.header('retry-after') ?? 'absent'} → wait ${signal.retryAfter ?? '?'} s)`,
  );
  return { parts, throttled: true };
}

/** On a sandbox: a throwaway connection throttled on purpose, and how the layer reads the answer. */
async function forcedThrottle(ctx: Context): Promise<{ part: string; failed: boolean } | null> {
  const { sandbox, layer } = ctx;
  const call = ctx.calls.expiry;
  if (!sandbox || !ctx.configured || !call) return null;
  try {
    const throwaway = await sandbox.connect();
    ctx.secrets.add(throwaway.access_token).add(throwaway.refresh_token);
    sandbox.forceRateLimit(throwaway.access_token, 7);
    const answer = await apiCall(layer, call, throwaway.access_token);
    const signal = layer.classify(answer);
    if (signal.kind !== 'throttled')
      return {
        part: `a throttled request got ${signal.source}, which the classifier calls "${signal.kind}"`,
        failed: true,
      };
    return {
      part: `a throttled request gets ${signal.source}${ctx.target.words.throttledAs(answer.status)} with Retry-After ${answer.header('retry-after') ?? 'absent'}; handled: ThrottledError, Zapier retries after ${signal.retryAfter ?? '?'} s`,
      failed: false,
    };
  } catch (error) {
    return { part: `the throttling probe failed: ${networkFailure(error)}`, failed: false };
  }
}

export const rateLimit: DoctorCheck = {
  id: 'rate_limit',
  shouldRun: () => true,
  restsOn: ['signals.rateLimitHeaders', 'signals.throttledWithRetryAfter', 'signals.body.retryAfter'],
  async run(ctx): Promise<Finding> {
    const answer = ctx.testAnswer;
    const call = ctx.calls.test;
    const seen = answer && call ? fromAnswer(ctx, answer, call.shown) : { parts: [], throttled: false };
    const forced = await forcedThrottle(ctx);
    const parts = [...seen.parts, ...(forced ? [forced.part] : [])];
    if (parts.length === 0)
      return {
        status: 'skipped',
        finding: `Not checked: no answer from ${ctx.target.words.testShort}.`,
        fix: ctx.see('rate_limit', ctx.target.words.rateFix),
      };
    return {
      status: forced?.failed ? 'fail' : seen.throttled ? 'warn' : 'pass',
      finding: `${parts.join('; ')}.`,
      fix: seen.throttled
        ? ctx.see(
            'rate_limit',
            'Nothing: Zapier retries after the delay. If it persists, spread the Zaps over more connections.',
          )
        : '',
    };
  },
};
