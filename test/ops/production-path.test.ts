import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths';

/**
 * The production install on a clean copy of the project: built, the dev dependencies pruned, `npm start`, ready.
 * The copy is the files git would check out (tracked and new, nothing ignored). `npm ci` would fetch the same
 * packages for minutes, so node_modules is copied from this checkout, then pruned by npm as in production. The
 * build is this checkout's dist/ when it is current (on CI, `npm ci` has just built it from the clean clone), so
 * that a minute of tsc competing with the rest of the suite is paid only when dist/ is stale.
 */
describe('production path: npm run build, npm prune --omit=dev, npm start', () => {
  let dir: string;
  const sh = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
    spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  const ok = (r: SpawnSyncReturns<string>) => {
    if (r.status !== 0) throw new Error(`exit ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-prod-'));
    const files = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      .stdout.split('\0').filter((f) => f && fs.existsSync(path.join(PROJECT_ROOT, f)));
    expect(files).toContain('package-lock.json');
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(path.join(PROJECT_ROOT, f), path.join(dir, f));
    }
    ok(spawnSync('cp', ['-a', path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules')], { encoding: 'utf8' }));
  }, 120_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));

  it('starts with production dependencies only and becomes ready; the CLI works; a stale build is refused', async () => {
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    // Without a build, npm start says what to do (and does not try to compile).
    const unbuilt = sh('npm', ['start', '--silent']);
    expect(unbuilt.status).not.toBe(0);
    expect(unbuilt.stderr).toContain('还没有构建');
    expect(unbuilt.stderr).toContain('npm run build');

    // npm run build, or this checkout's current build of the same sources (copied after them, so it is newer).
    const current = spawnSync(process.execPath, ['-e', "process.exit(require('./bin/build-check').buildProblem('dist/src/server.js') ? 1 : 0)"], { cwd: PROJECT_ROOT });
    if (current.status === 0) ok(spawnSync('cp', ['-r', path.join(PROJECT_ROOT, 'dist'), path.join(dir, 'dist')], { encoding: 'utf8' }));
    else ok(sh('npm', ['run', 'build', '--silent']));
    ok(sh('npm', ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund']));
    for (const dev of ['typescript', 'jest', 'ts-jest', 'supertest', 'playwright-core', 'autocannon', '@types/node']) {
      expect([dev, fs.existsSync(path.join(dir, 'node_modules', dev))]).toEqual([dev, false]);
    }
    for (const prod of ['express', 'better-sqlite3', 'pino', 'exceljs']) expect(fs.existsSync(path.join(dir, 'node_modules', prod))).toBe(true);

    const dataDir = path.join(dir, 'var-lib-linsheng');
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', LINSHENG_ADMIN_PASSWORD: 'production-path-pw' };
    const proc = spawn('npm', ['start', '--silent'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    proc.stdout!.on('data', (d) => { out += d; });
    proc.stderr!.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no start:\n' + out)), 90_000);
        proc.stdout!.on('data', () => {
          const m = /listening on port (\d+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        });
        proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}:\n${out}`)); });
      });
      let ready: Response | undefined;
      for (let i = 0; i < 100 && ready?.status !== 200; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (ready.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready!.status).toBe(200);
      expect(await ready!.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('登录');
      // The JSON log of a production start.
      const first = out.split('\n').find((l) => l.includes('listening on port'))!;
      expect(JSON.parse(first)).toMatchObject({ level: 30, port });
    } finally {
      process.kill(-proc.pid!, 'SIGTERM');
    }
    await exited;
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);

    // The operator's CLI on the pruned install.
    const cli = (...args: string[]) => sh(process.execPath, [path.join(dir, 'bin', 'linsheng.js'), ...args], { DATA_DIR: dataDir });
    expect(ok(cli('migrate', '--dry-run')).stdout).toContain('数据库已是最新');
    expect(ok(cli('backup', path.join(dir, 'copy.db'))).stdout).toContain('integrity_check: ok');

    // After an update of the code without a rebuild, start refuses instead of running old code.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(dir, 'src', 'config.ts'), later, later);
    const stale = sh('npm', ['start', '--silent'], env);
    expect(stale.status).not.toBe(0);
    expect(stale.stderr).toContain('构建已过期：src/config.ts');
    expect(cli('--help').status).toBe(1);
  }, 400_000);
});
