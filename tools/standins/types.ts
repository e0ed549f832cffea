// The stand-in interface moved into the package with the skeleton (zapier-oauth-layer/standin,
// its src/standin/types.ts). This name stays for the doctor's tests (test/doctor), which another
// change moves with the doctor; once they import the entry, this file goes.
export type * from 'zapier-oauth-layer/standin';
