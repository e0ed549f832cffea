// `token_endpoint_errors`: how the token endpoint refused the refresh token that cannot exist
// (client_credentials' probe), held against what the profile says (token.errorsAs200,
// token.errorCode), in the target's words.
import { valueAt } from '../../internal';
import type { Context, DoctorCheck, Finding, TokenProbe } from '../context';
import type { TokenErrorFacts } from '../target';
import { FIX_CONFIG_FIRST, NOT_CONFIGURED } from '../words';

function judge(ctx: Context, { answer, outcome, seen }: TokenProbe): Finding {
  const token = ctx.layer.profile.token;
  const words = ctx.target.words.tokenErrors;
  const see = (text: string) => ctx.see('token_endpoint_errors', text);
  const status = answer.status;
  const code = valueAt(answer.body, token.errorCode);
  const found = typeof code === 'string' || typeof code === 'number';
  const facts: TokenErrorFacts = {
    status,
    problem: outcome.ok ? 'accepted' : outcome.problem,
    seen,
    named: found
      ? `${token.errorCode} "${String(code)}"`
      : `nothing at token.errorCode ("${token.errorCode}")`,
  };
  if (!outcome.ok && status === 200 && token.errorsAs200)
    return { status: 'pass', finding: words.as200(facts), fix: '' };
  if (!outcome.ok && status === 200) {
    const { finding, fix } = words.as200Unexpected(facts);
    return { status: 'warn', finding, fix: see(fix) };
  }
  if (!outcome.ok && status >= 400 && status < 500 && found)
    return { status: 'pass', finding: words.status(facts), fix: '' };
  const statusWithoutCode = !outcome.ok && status >= 400 && status < 500;
  const { finding, fix } = words.other({ ...facts, accepted: outcome.ok, statusWithoutCode });
  return { status: 'warn', finding, fix: see(fix) };
}

export const tokenEndpointErrors: DoctorCheck = {
  id: 'token_endpoint_errors',
  shouldRun: () => true,
  restsOn: ['token.errorCode', 'token.errorsAs200', 'token.codes'],
  run(ctx) {
    const probe = ctx.tokenProbe;
    if (!ctx.configured || probe === null)
      return { status: 'skipped', finding: NOT_CONFIGURED, fix: FIX_CONFIG_FIRST };
    if (typeof probe === 'string')
      return {
        status: 'skipped',
        finding: probe,
        fix: ctx.see('token_endpoint_errors', 'Run again once the token endpoint answers.'),
      };
    return judge(ctx, probe);
  },
};
