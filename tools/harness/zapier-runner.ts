// The runner moved into the package (zapier-oauth-layer/conformance, its src/conformance/
// zapier-runner.ts), with the conformance kit that drives core's Lambda handler through it. This
// name stays for the doctor (tools/doctor), which another change moves into the package; once it
// imports the entry, this file goes.
export * from 'zapier-oauth-layer/conformance';
