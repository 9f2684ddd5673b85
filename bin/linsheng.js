#!/usr/bin/env node
'use strict';
// The CLI is compiled TypeScript; `npm install` builds it (the prepare script), `npm run build` rebuilds it.
require('./build-check').requireBuild('dist/src/cli/main.js');
// What the CLI writes (backups, a new database, its -wal/-shm) is readable by this user only.
process.umask(0o077);
// An import (and the other long commands) gives way to a live server from its first instruction (src/cli/batch-job.ts).
const batchJob = require('../dist/src/cli/batch-job.js');
if (batchJob.isBatchCommand(process.argv[2])) batchJob.giveWay();
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err && err.message ? err.message : err); process.exitCode = 1; },
);
