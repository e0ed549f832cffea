// `test_call`: the test call with the stored token (Practice's /me, whose answer renders the
// connection label; another API's --probe).
import { isRecord, type Signal } from '../../internal';
import { noProbe, type Call, type Context, type DoctorCheck, type Finding } from '../context';
import { apiCall, networkFailure, type Answer } from '../http';
import { NOT_CONFIGURED, handling } from '../words';

function accepted(ctx: Context, call: Call, answer: Answer): Finding {
  const label = call.label;
  if (!label || !isRecord(answer.body))
    return {
      status: 'pass',
      finding: `${call.shown} answered HTTP ${answer.status}: ${ctx.name} accepted the connection's access token. No connection label is rendered: the label is this app's (Practice's /me), not ${ctx.name}'s.`,
      fix: '',
    };
  const text = label.render(answer.body);
  const blank = /^\s|\(\s*\)|^\s*$/.test(text) || text.startsWith(' ');
  return {
    status: blank ? 'warn' : 'pass',
    finding: `${call.shown} answered HTTP ${answer.status}; the connection label renders as "${text}" (connectionLabel ${label.source}).`,
    fix: blank ? ctx.see('test_call', label.blankFix) : '',
  };
}

function judge(ctx: Context, call: Call, answer: Answer, signal: Signal): Finding {
  if (signal.kind === 'ok' && (!call.label || isRecord(answer.body))) return accepted(ctx, call, answer);
  if (signal.kind === 'refresh') {
    ctx.observedExpiry = { answer, signal };
    return {
      status: 'warn',
      finding: `${call.shown} refused the connection's access token: ${ctx.target.describe(answer, signal)}; ${handling(signal).text}.`,
      fix: ctx.see(
        'test_call',
        `On Zapier nothing is needed if the refresh works. Locally: \`${ctx.again('--refresh')}\` (writes new tokens to .env).`,
      ),
    };
  }
  return {
    status: 'fail',
    finding: `${call.shown} answered ${signal.source}${signal.apiMessage ? `: "${signal.apiMessage}"` : ''} (the classifier calls it "${signal.kind}").`,
    fix: ctx.see('test_call', ctx.target.words.lookUp),
  };
}

export const testCall: DoctorCheck = {
  id: 'test_call',
  shouldRun: () => true,
  restsOn: ['endpoints.api', 'endpoints.authorizationScheme', 'signals.envelope'],
  async run(ctx) {
    const { see } = ctx;
    if (!ctx.configured || !ctx.accessToken)
      return {
        status: 'skipped',
        finding: ctx.configured ? 'Not checked: the connection has no access token.' : NOT_CONFIGURED,
        fix: see('test_call', 'Connect first (`npx zapier-platform invoke auth start`).'),
      };
    const call = ctx.calls.test;
    if (!call) return noProbe(ctx, 'test_call');
    try {
      const answer = await apiCall(ctx.layer, call, ctx.accessToken);
      ctx.testAnswer = answer;
      return judge(ctx, call, answer, ctx.layer.classify(answer));
    } catch (error) {
      return {
        status: 'fail',
        finding: `${call.shown} failed: ${networkFailure(error)}.`,
        fix: see('test_call', `Check ${call.hint} and the network.`),
      };
    }
  },
};
