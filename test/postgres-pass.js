#!/usr/bin/env node
// `npm test`'s second pass: the suite on PostgreSQL (jest.postgres.config.js) when LINSHENG_TEST_DATABASE_URL names a
// server (.ci/postgres.sh starts Debian's and prints the line); without one it says loudly that the pass is skipped.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

if (!process.env.LINSHENG_TEST_DATABASE_URL) {
  console.warn('SKIPPED the suite on PostgreSQL: LINSHENG_TEST_DATABASE_URL is not set (eval "$(bash .ci/postgres.sh)" starts a server and sets it).');
  process.exit(0);
}
console.log('The suite on PostgreSQL (LINSHENG_TEST_ENGINE=postgres):');
const jest = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const r = spawnSync(process.execPath, [jest, '--config', 'jest.postgres.config.js', ...process.argv.slice(2)], {
  cwd: path.join(__dirname, '..'), stdio: 'inherit', env: { ...process.env, LINSHENG_TEST_ENGINE: 'postgres' },
});
process.exit(r.status ?? 1);
