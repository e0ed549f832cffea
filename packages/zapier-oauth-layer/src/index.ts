// zapier-oauth-layer: a hardened OAuth 2.0 layer for Zapier integrations. An integration writes
// one profile of its API and gets, from createLayer(profile), its `authentication`, middleware
// that classifies every answer as the API means it, coordinated refresh that never loses a
// connection it could keep, and messages that tell the right person what to do.
//
//   import { createLayer, defineProfile } from 'zapier-oauth-layer';
//   const api = createLayer(defineProfile({ ... }));
//   export default api.harden(defineApp({ authentication: api.authentication({ test, connectionLabel }), ... }));
//   const { data } = await api.request<Contact>(z, { path: '/v1/contacts/1' }); // in a step
//
// harden throws for the answers that concern the connection; every other answer reaches the
// app as it would without the layer, unless harden(app, { messages: 'all' }).
//
// This is the whole surface an integration needs; what the doctor, the conformance kit and
// tests use lives in `zapier-oauth-layer/internal`.

export { createLayer, type HardenOptions, type Layer } from './layer';
export type { LayerRequest } from './request';
export { graphqlFamily } from './graphql';
export {
  defineProfile,
  ProfileError,
  type CheckedProfile,
  type ConnectionField,
  type Family,
  type Profile,
  type ProfileInput,
  type SignalKind,
} from './profile';
export type { AuthenticationParts } from './oauth';
export type { Signal } from './signals';
export type { TokenAuthData } from './tokens';
