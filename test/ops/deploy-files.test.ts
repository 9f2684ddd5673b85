import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { IMPORT_MAX_BYTES } from '../../src/intake/routes';
import { PROJECT_ROOT } from '../../src/paths';
import { SHUTDOWN_DEADLINE_MS } from '../../src/server';

const UNIT = path.join(PROJECT_ROOT, 'deploy', 'linsheng.service');
const SITE = path.join(PROJECT_ROOT, 'deploy', 'nginx-linsheng.conf');
const unit = fs.readFileSync(UNIT, 'utf8');
const site = fs.readFileSync(SITE, 'utf8');

/** Runs a tool if it is installed; undefined when it is not. */
function tool(cmd: string, args: string[], cwd?: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  return r;
}
const findTool = (name: string, places: string[]) => places.map((d) => path.join(d, name)).find((p) => fs.existsSync(p));
const SYSTEMD_ANALYZE = findTool('systemd-analyze', ['/usr/bin', '/bin']);
const NGINX = findTool('nginx', ['/usr/sbin', '/usr/bin', '/sbin']);

/** `it` that says loudly when the tool it needs is missing (.ci/run installs both with apt-get). */
const itWith = (toolPath: string | undefined, pkg: string): jest.It => (toolPath ? it : ((name: string, fn: () => void) => {
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED deploy test "${name}": ${pkg} is not installed (apt-get install ${pkg}).`);
  it.skip(name, fn);
}) as unknown as jest.It);

const directives = (text: string, key: string) =>
  text.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

describe('deploy/linsheng.service', () => {
  it('runs as its own user, sandboxed, writable only in DATA_DIR, restarted on failure, stopped with SIGTERM', () => {
    expect(directives(unit, 'User')).toEqual(['linsheng']);
    expect(directives(unit, 'ProtectSystem')).toEqual(['strict']);
    expect(directives(unit, 'NoNewPrivileges')).toEqual(['true']);
    expect(directives(unit, 'Restart')).toEqual(['on-failure']);
    expect(directives(unit, 'KillSignal')).toEqual(['SIGTERM']);
    const env = Object.fromEntries(directives(unit, 'Environment').map((e) => e.split(/=(.*)/s).slice(0, 2)));
    expect(directives(unit, 'ReadWritePaths')).toContain(env.DATA_DIR);
    // systemd's patience outlasts the server's own shutdown deadline, so SIGKILL never cuts a clean stop short.
    expect(Number(directives(unit, 'TimeoutStopSec')[0])).toBeGreaterThan(SHUTDOWN_DEADLINE_MS / 1000);
    // The settings the unit gives are ones the app accepts.
    const config = loadConfig(env);
    expect(config).toMatchObject({ host: '127.0.0.1', trustProxy: 'loopback', logPretty: false, dataDir: '/var/lib/linsheng' });
    // It starts through the build check, never compiling.
    expect(directives(unit, 'ExecStart')[0]).toMatch(/\/bin\/start\.js$/);
  });

  itWith(SYSTEMD_ANALYZE, 'systemd')('passes systemd-analyze verify without a warning', () => {
    // verify also checks that the program exists: point it at this machine's node.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-unit-'));
    try {
      fs.writeFileSync(path.join(dir, 'linsheng.service'), unit.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const r = tool(SYSTEMD_ANALYZE!, ['verify', path.join(dir, 'linsheng.service')], dir)!;
      expect({ status: r.status, out: (r.stdout + r.stderr).trim() }).toEqual({ status: 0, out: '' });
      // And it would catch a mistake (so the empty output above means something).
      fs.writeFileSync(path.join(dir, 'linsheng.service'), unit.replace('NoNewPrivileges=true', 'NoNewPrivilegs=true').replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const bad = tool(SYSTEMD_ANALYZE!, ['verify', path.join(dir, 'linsheng.service')], dir)!;
      expect(bad.stdout + bad.stderr).toContain("Unknown key 'NoNewPrivilegs'");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/nginx-linsheng.conf', () => {
  const bodyLimits = [...site.matchAll(/client_max_body_size\s+(\d+)m;/g)].map((m) => Number(m[1]) * 1024 * 1024);

  it('lets through the largest photo and the largest import, with the forwarded headers the app trusts from loopback', () => {
    const defaults = loadConfig({});
    // The photo plus the form's other fields; the import file.
    expect(bodyLimits[0]).toBeGreaterThanOrEqual(defaults.uploadMaxBytes + 512 * 1024);
    expect(site).toMatch(/location = \/intake\/import \{\s+client_max_body_size (\d+)m;/);
    expect(bodyLimits[1]).toBeGreaterThan(IMPORT_MAX_BYTES);
    for (const h of ['X-Forwarded-For $remote_addr', 'X-Forwarded-Proto $scheme', 'Host $host', 'X-Request-Id $request_id']) {
      expect(site).toContain(`proxy_set_header ${h};`);
    }
    // The upstream is the address and port the unit makes the app listen on.
    const env = Object.fromEntries(directives(unit, 'Environment').map((e) => e.split(/=(.*)/s).slice(0, 2)));
    expect(site).toContain(`server ${env.HOST}:${env.PORT};`);
    expect(env.LINSHENG_TRUST_PROXY).toBe('loopback');
    expect(site).toMatch(/listen 443 ssl/);
    expect(site).toContain('return 301 https://$host$request_uri;');
  });

  itWith(NGINX, 'nginx')('passes nginx -t with a self-signed certificate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-nginx-'));
    try {
      const ssl = tool('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'),
        '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=linsheng.test'])!;
      expect(ssl.status).toBe(0);
      fs.writeFileSync(path.join(dir, 'site.conf'), site
        .replace('/etc/ssl/linsheng/fullchain.pem', path.join(dir, 'cert.pem'))
        .replace('/etc/ssl/linsheng/privkey.pem', path.join(dir, 'key.pem')));
      // A minimal main configuration that includes the site, as /etc/nginx/nginx.conf does sites-enabled/.
      fs.writeFileSync(path.join(dir, 'nginx.conf'), [
        `pid ${path.join(dir, 'nginx.pid')};`, `error_log ${path.join(dir, 'error.log')};`, 'events {}',
        `http { include ${path.join(dir, 'site.conf')}; }`, '',
      ].join('\n'));
      const r = tool(NGINX!, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')])!;
      expect(r.stderr).toContain('syntax is ok');
      expect(r.stderr).toContain('test is successful');
      expect(r.stderr).not.toMatch(/\[warn\]|\[emerg\]/);
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
