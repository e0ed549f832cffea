// The layer, bound to the Practice profile: what the app's files use of it.
import { createLayer } from 'zapier-oauth-layer/internal';
import { practiceProfile } from './profile';

export const practice = createLayer(practiceProfile);
