// Zapier loads the app from ./index.js; the TypeScript sources compile to dist/ (tsconfig.json).
module.exports = require('./dist/index.js');
