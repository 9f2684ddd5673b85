import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths';

/**
 * Outside tests, units of work are not tracked with AsyncLocalStorage: on Node 20 its first run() installs promise
 * hooks that make every later await of the process about 2.5 times as dear (src/db/unit-of-work-context.ts).
 */
test('a production process runs units of work without enabling AsyncLocalStorage', () => {
  const script = `
    const { openDb } = require('./src/db/open-db');
    const { sqliteEngine } = require('./src/db/engine');
    const { unitOfWorkContext } = require('./src/db/unit-of-work-context');
    const db = openDb({ file: ':memory:' });
    const engine = sqliteEngine(db);
    engine.unitOfWork(async () => 42).then((v) => { process.stdout.write(JSON.stringify({ v, enabled: unitOfWorkContext.enabled })); });`;
  const r = spawnSync(process.execPath, ['-r', path.join(PROJECT_ROOT, 'test', 'helpers', 'ts-register.js'), '-e', script], {
    cwd: PROJECT_ROOT, env: { ...process.env, NODE_ENV: 'production' }, encoding: 'utf8', timeout: 30_000,
  });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ v: 42, enabled: false });
});
