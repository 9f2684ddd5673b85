import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dbFile, openDb } from '../../src/db/open-db';
import { startChildServer } from '../helpers/child-server';
import { hiddenFields } from '../helpers/resident-client';
import { makeCampaign } from '../helpers/factories';

/** The real server process: first start, graceful shutdown, and requests Node rejects itself. */
describe('server process', () => {
  let dataDir: string;
  beforeEach(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-server-')); });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates and migrates the database on first start and prints the login URL and a one-time admin password', async () => {
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: '' } });
    await new Promise((r) => setTimeout(r, 200));
    const out = s.output();
    expect(out).toContain(`Log in: http://localhost:${s.port}/login`);
    const password = /password: (\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z2-9]{16}$/);
    // NODE_ENV=production: the log is JSON lines, and the one-time password is printed beside it, never in it.
    const lines = out.split('\n').filter((l) => l.trim());
    const json = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(json.map((e) => e.msg)).toEqual(expect.arrayContaining([`邻声 Linsheng listening on port ${s.port}`, `登录 Log in: http://localhost:${s.port}/login`]));
    expect(json.filter((e) => JSON.stringify(e).includes(password!))).toEqual([]);
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual([
      `首次启动，已创建管理员 First start, admin created — username: admin  password: ${password}`,
      '请登录后立即修改密码。This password is shown only once.',
    ]);
    expect(await s.stop()).toBe(0);

    const db = new Database(dbFile(dataDir), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get() as number)).toBeGreaterThan(0);
    db.close();

    // A second start does not create another admin or print a password again.
    const again = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir } });
    await new Promise((r) => setTimeout(r, 200));
    expect(again.output()).not.toMatch(/password:/);
    expect(await again.stop()).toBe(0);
  }, 150_000);

  it('finishes a request in flight on SIGTERM, then exits cleanly with the database closed', async () => {
    const db = openDb({ file: dbFile(dataDir) });
    const { qrToken: token } = makeCampaign(db);
    db.close();
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'graceful-pass' } });
    const page = await fetch(`${s.baseUrl}/q/${token}`);
    const fields = { ...hiddenFields(await page.text()), kind: 'wish', text: '希望楼下装一个休息座椅' };
    const body = new URLSearchParams(fields).toString();

    // Send the headers and half the body, stop the server, then send the rest: the answer must still come.
    const socket = net.connect(s.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d) => { response += d; });
    const ended = new Promise((r) => socket.once('close', r));
    socket.write(`POST /q/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
    socket.write(body.slice(0, 10));
    await new Promise((r) => setTimeout(r, 300));
    const exit = s.stop();
    await new Promise((r) => setTimeout(r, 300));
    socket.write(body.slice(10));
    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 303/);
    const code = /\/r\/([A-Z0-9]+)/.exec(response)?.[1];
    expect(await exit).toBe(0);

    const check = new Database(dbFile(dataDir), { readonly: true });
    expect(check.prepare('SELECT COUNT(*) FROM submissions WHERE receipt_code = ?').pluck().get(code)).toBe(1);
    check.close();
    // A clean close checkpoints the WAL into the main file.
    expect(fs.existsSync(dbFile(dataDir) + '-wal') ? fs.statSync(dbFile(dataDir) + '-wal').size : 0).toBe(0);
  }, 150_000);

  it('answers an overlong URL with 431 and a Chinese message, and keeps serving', async () => {
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'long-url-pass' } });
    try {
      const res = await fetch(`${s.baseUrl}/q/${'长'.repeat(20_000)}`);
      expect(res.status).toBe(431);
      expect(await res.text()).toMatch(/链接或请求头太长了/);
      expect((await fetch(`${s.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  }, 150_000);
});
