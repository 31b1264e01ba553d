#!/usr/bin/env node
// The `privatejet` command (package.json "bin"): runs the TypeScript CLI through tsx, which
// `npm ci` installs in a clone, so `npx privatejet …` works from the repository.
require('tsx/cjs/api').register();
const { main } = require('../main.ts');
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
