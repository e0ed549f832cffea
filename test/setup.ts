// Runs before every test file. zapier-platform-core wraps http.request/https.request
// once per process to log raw HTTP calls (create-http-patch.js), capturing whatever
// function is there at that moment. If that happens in a jest worker before a later
// file's nock is active, the wrapper keeps calling the real http.request and that
// file's requests escape nock. Marking the modules as patched keeps core's hands off;
// z.request's own logging, which tests do look at, is unaffected.
import http from 'node:http';
import https from 'node:https';

for (const module of [http, https]) {
  (module as unknown as { patchedByZapier?: boolean }).patchedByZapier = true;
}
