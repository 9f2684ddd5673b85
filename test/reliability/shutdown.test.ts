import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serverDatabase } from '../helpers/test-database';
import { startChildServer } from '../helpers/child-server';
import { hiddenFields } from '../helpers/resident-client';
import { makeCampaign } from '../helpers/factories';

/** SIGTERM under load, on the real server process: no request the server received goes unanswered. */

interface RawClient { socket: net.Socket; data: () => string; closed: Promise<unknown> }

async function connect(port: number): Promise<RawClient> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r, j) => { socket.once('connect', r); socket.once('error', j); });
  let data = '';
  socket.on('data', (d) => { data += d; });
  // A reset would show here as an error: record it as part of what the client saw.
  socket.on('error', (err) => { data += `\n<socket error ${(err as NodeJS.ErrnoException).code}>`; });
  return { socket, data: () => data, closed: new Promise((r) => socket.once('close', r)) };
}

const responses = (text: string) => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];

async function waitFor(ok: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

describe('SIGTERM under load', () => {
  let dataDir: string;
  beforeEach(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-shutdown-')); });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('stops listening, answers every request already received (on busy and on idle keep-alive connections), and exits 0', async () => {
    const db = serverDatabase(dataDir).db();
    const { qrToken: token } = makeCampaign(db, { askPhoto: false });
    db.close();
    const s = await startChildServer({
      script: 'src/server.ts', fromSource: true,
      env: { DATA_DIR: dataDir, ...serverDatabase(dataDir).env, LINSHENG_ADMIN_PASSWORD: 'shutdown-pass', LINSHENG_PUBLIC_RATE_LIMIT: '100000' },
    });
    const page = await fetch(`${s.baseUrl}/q/${token}`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
    const formHtml = await page.text();

    // 20 keep-alive connections that have been used once and now sit idle.
    const idle = await Promise.all(Array.from({ length: 20 }, () => connect(s.port)));
    for (const c of idle) c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(() => idle.every((c) => c.data().endsWith('}')));
    await new Promise((r) => setTimeout(r, 200));
    for (const c of idle) expect(responses(c.data())).toHaveLength(1);

    // 20 submissions whose bodies are half sent when the signal comes.
    const busy = await Promise.all(Array.from({ length: 20 }, () => connect(s.port)));
    const bodies = busy.map((_, i) => new URLSearchParams({ ...hiddenFields(formHtml), kind: 'suggestion', text: `第 ${i + 1} 位居民：楼下的路灯不亮了` }).toString());
    busy.forEach((c, i) => {
      c.socket.write(`POST /q/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n`
        + `Content-Length: ${Buffer.byteLength(bodies[i])}\r\nCookie: ${cookie}x${i}\r\n\r\n`);
      c.socket.write(bodies[i].slice(0, 20));
    });
    await new Promise((r) => setTimeout(r, 300));

    const exit = s.stop();
    await new Promise((r) => setTimeout(r, 150));
    // The idle connections send their next request just after the signal; the busy ones finish their bodies.
    for (const c of idle) c.socket.write(`GET /q/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    busy.forEach((c, i) => c.socket.write(bodies[i].slice(20)));

    // No new connections once stopped.
    await new Promise((r) => setTimeout(r, 100));
    const refused = await new Promise<string>((resolve) => {
      const probe = net.connect(s.port, '127.0.0.1');
      probe.once('connect', () => { probe.destroy(); resolve('connected'); });
      probe.once('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');

    await Promise.all([...idle, ...busy].map((c) => c.closed));
    for (const c of busy) {
      expect(c.data()).not.toContain('socket error');
      expect(responses(c.data())).toEqual(['HTTP/1.1 303']);
      expect(c.data()).toMatch(/Connection: close/i);
    }
    for (const c of idle) {
      expect(c.data()).not.toContain('socket error');
      expect(responses(c.data())).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    }
    expect(await exit).toBe(0);
    const check = serverDatabase(dataDir).db();
    expect(check.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(20);
    // Every form view counted (the first, and the 20 answered after the signal): the scan counter's last flush, a
    // unit of work on the engine, went through before the database closed.
    expect(check.prepare('SELECT scan_count FROM qr_codes WHERE token = ?').pluck().get(token)).toBe(21);
    check.close();
  }, 150_000);
});
