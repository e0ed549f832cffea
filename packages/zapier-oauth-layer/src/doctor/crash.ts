// The bin's last word when a run fails unexpectedly: its error, without a secret it may hold.
import path from 'node:path';
import { clientCredentialSecrets, redact } from '../internal';
import { loadEnv } from './env-file';

/**
 * What the bin says when a run fails unexpectedly, without anything a run may have read: every
 * value the project's .env sets (of 8 characters or more: a `DEBUG=1` would blank every "1"), every
 * variable of the environment whose name says it holds a secret (a profile's client.secretEnv may
 * be any name, so SECRET, TOKEN, KEY, PASS and authData_ all count), and each client's credentials
 * as they are sent (HTTP Basic).
 */
export function crashMessage(error: unknown, env: NodeJS.ProcessEnv, cwd: string): string {
  let fromFile: Record<string, string> = {};
  try {
    // The file alone (no environment passed): its own values, read once.
    fromFile = loadEnv(path.join(cwd, '.env'), {}, []).values;
  } catch {
    // an unreadable .env: the environment alone
  }
  // As loadEnv merges them: a variable the environment sets wins over the file.
  const values: Record<string, string> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) values[key] = value;
  const entries = Object.entries(values);
  const secrets = [
    ...Object.values(fromFile).filter((value) => value.length >= 8),
    ...entries.filter(([key]) => /SECRET|TOKEN|KEY|PASS|^authData_/i.test(key)).map(([, value]) => value),
    ...entries
      .filter(([key]) => /CLIENT_ID$/i.test(key))
      .flatMap(([key, id]) =>
        clientCredentialSecrets(id, values[key.replace(/CLIENT_ID$/i, 'CLIENT_SECRET')]),
      ),
  ];
  const why = error instanceof Error ? error.message : String(error);
  return redact(`The doctor could not run: ${why}`, secrets, []);
}
