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
