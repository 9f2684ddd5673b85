#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript; `npm install` builds it (the prepare script).
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 1; },
);
