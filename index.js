// Zapier loads the app from ./index.js; the TypeScript sources compile to dist/.
module.exports = require('./dist/index.js');
