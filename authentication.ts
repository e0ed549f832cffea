// Practice's OAuth 2.0 authentication: the layer's (layer/oauth.ts), bound to the Practice
// profile (practice/profile.ts), with the connection test and label that are Practice's own.
import { getMe } from './practice/api';
import { practice } from './practice/layer';

export default practice.authentication({
  test: (z) => getMe(z),
  // "<email> (<firm name>)" from what `test` returned; Zapier flattens nested keys with __.
  // A template, not a function: `zapier-platform invoke auth label` only renders templates.
  connectionLabel: '{{email}} ({{firm__name}})',
});
