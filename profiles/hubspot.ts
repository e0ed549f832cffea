// HubSpot's profile lives with the integration that adopts it (integrations/hubspot/profile.ts),
// as an adopter keeps theirs; the conformance suite reads it from here with the others.
export { hubspotProfile } from '../integrations/hubspot/profile';
