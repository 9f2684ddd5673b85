import { SHARE_INTERVAL_MS } from '../../src/http/shared-counts';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT as ROOT } from '../../src/paths';

export interface ChildServer {
  proc: ChildProcess;
  port: number;
  baseUrl: string;
  output: () => string;
  /** SIGKILL, as in a crash; resolves when the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, as in a graceful stop; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a server script as a child process and waits for its "listening on port N" line. From source, each start
 * transpiles every module; on this shared 2-core machine under a full suite that has taken over 30 s.
 * From TypeScript sources (tests) via ts-register, or compiled JavaScript (benchmarks). BENCH_SERVER_NODE_ARGS adds
 * Node options to a compiled server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it under a benchmark
 * (--cpu-prof is not allowed in NODE_OPTIONS).
 */
export function startChildServer(opts: {
  script: string;
  env: Record<string, string>;
  fromSource?: boolean;
  timeoutMs?: number;
}): Promise<ChildServer> {
  const args = opts.fromSource
    ? ['-r', path.join(ROOT, 'test', 'helpers', 'ts-register.js'), path.join(ROOT, opts.script)]
    : [...(process.env.BENCH_SERVER_NODE_ARGS ? process.env.BENCH_SERVER_NODE_ARGS.split(' ') : []), path.join(ROOT, opts.script)];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Kept up to 1 MB: under a benchmark the server logs a line per request, and the load generator shares this process.
  const keep = (d: Buffer) => { if (out.length < 1_000_000) out += d; };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('server did not start:\n' + out)); }, opts.timeoutMs ?? 60_000);
    const onData = () => {
      const m = /listening on port (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const port = Number(m[1]);
      resolve({
        proc, port, baseUrl: `http://127.0.0.1:${port}`, output: () => out,
        async kill9() { proc.kill('SIGKILL'); await exited; },
        async stop() { proc.kill('SIGTERM'); return exited; },
      });
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}) before listening:\n${out}`)); });
  });
}

/**
 * Runs a server script that is expected to refuse to start: resolves with its exit code and everything it printed.
 * Fails if it starts listening instead (it is then killed).
 */
export function runChildServerToExit(opts: { script: string; env: Record<string, string>; timeoutMs?: number }): Promise<{ code: number | null; out: string }> {
  const proc = spawn(process.execPath, ['-r', path.join(ROOT, 'test', 'helpers', 'ts-register.js'), path.join(ROOT, opts.script)], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', NODE_ENV: 'production', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error('server neither exited nor listened:\n' + out)); }, opts.timeoutMs ?? 30_000);
    proc.stdout!.on('data', () => {
      if (/listening on port \d+/.test(out)) { clearTimeout(timer); proc.kill('SIGKILL'); reject(new Error('server started although it should not have:\n' + out)); }
    });
    proc.once('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

/**
 * Logs in over HTTP as a browser does (the pre-session cookie and its CSRF token) and returns the session cookie
 * and a page's CSRF token, ready for staff requests to this server or another one on the same database.
 */
export async function loginOverHttp(baseUrl: string, username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const pre = `loginoverhttp${Math.random().toString(36).slice(2).padEnd(16, '0')}`;
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST', redirect: 'manual', headers: { cookie: `ls_pre=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: pre, username, password }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  const page = await (await fetch(`${baseUrl}/intake/import`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (login.status !== 303 || !csrf || !cookie.startsWith('ls_sid=')) throw new Error(`could not log in as ${username}: ${login.status}`);
  return { cookie, csrf };
}

/**
 * Two servers started with LINSHENG_PUBLIC_RATE_LIMIT=10 hold one client to one limit: seven form loads on A, then,
 * once both have shared their counts, three more on B and a refusal, and A, told of B's in turn, refuses as well.
 */
export async function expectOneRateLimitAcross(a: ChildServer, b: ChildServer, token: string): Promise<void> {
  const formOn = async (s: ChildServer) => { const res = await fetch(`${s.baseUrl}/q/${token}`); await res.arrayBuffer(); return res.status; };
  const shared = () => new Promise((r) => setTimeout(r, 2 * SHARE_INTERVAL_MS + 200));
  for (let i = 0; i < 7; i++) expect(await formOn(a)).toBe(200);
  await shared();
  expect([await formOn(b), await formOn(b), await formOn(b)]).toEqual([200, 200, 200]);
  expect(await formOn(b)).toBe(429);
  await shared();
  expect(await formOn(a)).toBe(429);
}

/** Logging out on `b` with a session opened on `a` ends it on `a` too: its next staff page sends it to the login. */
export async function expectLogoutOnBoth(a: ChildServer, b: ChildServer, session: { cookie: string; csrf: string }): Promise<void> {
  const out = await fetch(`${b.baseUrl}/logout`, {
    method: 'POST', redirect: 'manual', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf }),
  });
  expect(out.status).toBe(303);
  const onA = await fetch(`${a.baseUrl}/campaigns`, { headers: { cookie: session.cookie, accept: 'text/html' }, redirect: 'manual' });
  expect(onA.status).toBe(303);
  expect(onA.headers.get('location')).toMatch(/^\/login/);
}
