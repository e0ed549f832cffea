// Zapier loads the app from ./index.js; the TypeScript sources (with the layer and the profile
// they use) compile to dist/ (tsconfig.json).
module.exports = require('./dist/integrations/hubspot/index.js');
