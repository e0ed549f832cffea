// The layer as the profiles copied into ./profiles import it ('../layer'): they are kept
// byte for byte as they were written for the format before issue 26.
export * from 'zapier-oauth-layer/internal';
