// The only way the app writes to Zapier's log. Core's log scrubber knows the values in
// authData and the environment in a few encodings, but not a webhook secret, and not base64
// of the client credentials; every line goes through layer/redact.ts with every secret of
// the run first, as errors do. (ESLint forbids z.console anywhere else.)

import type { Bundle, ZObject } from 'zapier-platform-core';
import type { CheckedProfile } from './profile';
import { redact } from './redact';
import { secretsOf } from './secrets';

export function logLine(
  profile: CheckedProfile,
  z: ZObject,
  bundle: Partial<Bundle> | undefined,
  text: string,
  moreSecrets: ReadonlyArray<string | undefined> = [],
): void {
  z.console.log(redact(text, [...secretsOf(profile, bundle), ...moreSecrets], profile.tokenPrefixes));
}
