// Runs in every test file after jest's globals exist (jest.config.js, setupFilesAfterEnv): a
// test that ends without reaching a single expect fails ("expected at least one assertion"),
// so no test passes by checking nothing: an early return before its first expect, a loop over
// an empty list, a branch that never runs when it holds the only expect. fast-check's
// properties count through the expects inside them.
beforeEach(() => {
  expect.hasAssertions();
});
