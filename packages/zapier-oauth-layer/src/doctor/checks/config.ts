// `config`: the three variables, read by layer/endpoints.ts; for an API called at the endpoint
// --probe names, also that the probe lies under the API's prefix (the token goes nowhere else).
import { ConfigError, readEnv, type Layer } from '../../internal';
import type { Call, Context, DoctorCheck, Finding } from '../context';
import { fingerprint } from '../http';
import type { ProbeSpec } from '../target';
import { shownPath } from '../words';

/** A --probe URL or path, resolved against the API's prefix; refused unless the token would go there. */
export function resolveProbe(layer: Layer, probe: string): { url: string } | { problem: string } {
  const api = layer.endpoints.endpoint(layer.profile.endpoints.api);
  if (!/^(?:https?:\/\/|\/)/i.test(probe))
    return { problem: `--probe "${probe}" is neither an http(s) URL nor a path starting with "/"` };
  let url: URL;
  try {
    url = new URL(probe, api);
  } catch {
    return { problem: `--probe "${probe}" is not a URL` };
  }
  if (url.username || url.password || url.hash)
    return { problem: `--probe must not carry credentials or a fragment` };
  if (!layer.endpoints.isApiRequest(url.toString())) {
    return {
      problem:
        `--probe ${url.origin}${url.pathname} is not under ${layer.profile.name}'s API (${api}): ` +
        'the integration sends the access token nowhere else, and neither does the doctor',
    };
  }
  return { url: url.toString() };
}

function callOf(url: string, how: Pick<Call, 'method' | 'body' | 'what' | 'hint' | 'label'>): Call {
  return { url, ...how, shown: `${how.method} ${shownPath(url)}` };
}

/** The app's own endpoints, on the configured base. */
function ownCalls(ctx: Context): void {
  const own = ctx.target.own;
  if (!own) return;
  const hint = ctx.layer.profile.endpoints.baseEnv;
  const at = (path: string) => ctx.layer.endpoints.url(path);
  ctx.calls = {
    test: callOf(at(own.test.path), {
      method: 'GET',
      hint,
      ...(own.test.label ? { label: own.test.label } : {}),
    }),
    expiry: callOf(at(own.expiry.path), { method: 'GET', hint, what: own.expiry.what }),
    legacy: own.legacy ? callOf(at(own.legacy.path), { method: 'GET', hint, what: own.legacy.what }) : null,
  };
}

/** What config says of --probe, and the calls it makes; a problem fails the check. */
function probeCalls(ctx: Context, probe: ProbeSpec | null): { text: string; problem: boolean } {
  const { layer, name } = ctx;
  if (probe === null)
    return { text: `; no --probe named, so the checks that call ${name}'s API are skipped`, problem: false };
  const resolved = resolveProbe(layer, probe.at);
  if (!('url' in resolved)) return { text: `; ${resolved.problem}`, problem: true };
  const how = { method: probe.method, ...(probe.body !== undefined ? { body: probe.body } : {}) };
  const call = callOf(resolved.url, { ...how, hint: `${layer.profile.endpoints.baseEnv}, --probe` });
  ctx.calls = { test: call, expiry: call, legacy: null };
  return { text: `; the API checks ${call.shown}`, problem: false };
}

function whence(ctx: Context): string {
  const source = ctx.options.source;
  if (!source) return 'environment';
  return source.fileExists ? `environment and ${source.file}` : `environment (no ${source.file})`;
}

function configured(ctx: Context): Finding {
  const { layer, see, target } = ctx;
  const { baseEnv } = layer.profile.endpoints;
  const { idEnv, secretEnv } = layer.profile.client;
  const base = layer.endpoints.baseUrl();
  const { clientId, clientSecret } = layer.endpoints.clientCredentials();
  ctx.configured = true;
  const disagree = ctx.options.source?.disagreements ?? [];
  const unset = readEnv(baseEnv) === undefined ? target.words.baseUnset : '';
  let finding =
    `${baseEnv} ${base}${unset}, ${idEnv} ${clientId}, ${secretEnv} set (sha256 ${fingerprint(clientSecret)}…), from the ${whence(ctx)}` +
    (disagree.length > 0
      ? `; ${disagree.join(', ')} differ between the environment and .env: the doctor uses the environment's, ` +
        '`zapier-platform invoke` the .env value (it loads .env with override)'
      : '');
  let status: Finding['status'] = disagree.length > 0 ? 'warn' : 'pass';
  let fix =
    disagree.length > 0
      ? see('config', 'Set each variable in one place (unset it in the shell or edit .env).')
      : '';
  ownCalls(ctx);
  if (!target.own) {
    const probe = probeCalls(ctx, target.probe);
    finding += probe.text;
    if (probe.problem) {
      status = 'fail';
      fix = see(
        'config',
        `Name a GET of ${ctx.name}'s API that changes nothing, as a path (--probe /…) or a URL under ${layer.endpoints.endpoint(layer.profile.endpoints.api)}.`,
      );
    }
  }
  return { status, finding, fix };
}

export const config: DoctorCheck = {
  id: 'config',
  shouldRun: () => true,
  restsOn: ['endpoints.api'],
  run(ctx) {
    try {
      return configured(ctx);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return {
        status: 'fail',
        finding: error.message,
        fix: ctx.see(
          'config',
          'Fix the variable in .env (locally) or with `zapier-platform env:set` (on Zapier).',
        ),
      };
    }
  },
};
