import request from 'supertest';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { createApp } from '../../src/app';
import { dbFile, openDb } from '../../src/db/open-db';
import { createLoginThrottle, FREE_FAILURES, MAX_DELAY_MS, WINDOW_MS } from '../../src/auth/login-throttle';
import { csrfFrom, createUser, makeTestApp, TEST_PASSWORD } from '../helpers/app';
import { itOnSqlite } from '../helpers/test-database';

describe('per-account login slowdown', () => {
  it('delays attempts after repeated failures, doubling up to a cap, forgets after the window, clears on success', async () => {
    let clock = 0;
    const slept: number[] = [];
    const th = createLoginThrottle({ now: () => clock, sleep: async (ms) => { slept.push(ms); } });
    for (let i = 0; i < FREE_FAILURES; i++) { expect(await th.wait('Wang')).toBe(0); await th.failed('wang'); }
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) { delays.push(await th.wait(' WANG ')); await th.failed('wang'); }
    expect(delays).toEqual([1000, 2000, 4000, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS]);
    expect(slept).toEqual(delays);
    expect(await th.delayFor('li')).toBe(0);
    clock += WINDOW_MS + 1;
    expect(await th.delayFor('wang')).toBe(0);
    for (let i = 0; i < FREE_FAILURES + 1; i++) await th.failed('wang');
    expect(await th.delayFor('wang')).toBe(2000);
    await th.succeeded('wang');
    expect(await th.delayFor('wang')).toBe(0);
  });

  it('slows a guesser down from any client but never locks the rightful user out; every attempt is in the audit trail', async () => {
    const t = makeTestApp({ trustProxy: 1 });
    const u = createUser(t.db, { role: 'staff' });
    const attempt = async (ip: string, password: string) => {
      const agent = request.agent(t.app);
      const token = csrfFrom((await agent.get('/login')).text);
      return agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, username: u.username, password });
    };
    // Wrong passwords from five different clients: the per-client limit never sees more than one.
    for (let i = 0; i < FREE_FAILURES; i++) expect((await attempt(`203.0.113.${i + 1}`, 'not-the-password')).status).toBe(401);
    expect(await t.app.ctx.auth.throttle.delayFor(u.username)).toBe(1000);
    const started = Date.now();
    const ok = await attempt('198.51.100.7', TEST_PASSWORD);
    expect(ok.status).toBe(303);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await t.app.ctx.auth.throttle.delayFor(u.username)).toBe(0);

    const rows = t.db.prepare("SELECT action, user_id, detail FROM audit_log WHERE entity_type = 'user' ORDER BY id").all() as
      Array<{ action: string; user_id: number | null; detail: string }>;
    expect(rows.map((r) => r.action)).toEqual([...Array(FREE_FAILURES).fill('login_failed'), 'login']);
    expect(JSON.parse(rows[0].detail)).toMatchObject({ username: u.username, reason: 'wrong_password', ip: '203.0.113.1' });
    expect(JSON.parse(rows.at(-1)!.detail)).toMatchObject({ username: u.username, ip: '198.51.100.7', delayedMs: 1000 });
    expect(rows.at(-1)!.user_id).toBe(u.id);
  }, 30_000);

  // Two servers on one SQLite file, and the CLI's write lock; on PostgreSQL: test/reliability/two-servers.postgres.test.ts.
  itOnSqlite('counts the same wrong passwords on every app server of the database, also while another connection writes', async () => {
    const t = makeTestApp({}, { onDisk: true });
    // Another app server: its own connection to the same database file.
    const other = createApp({ config: t.config, db: openDb({ file: dbFile(t.config.dataDir) }) });
    const u = createUser(t.db, { role: 'staff' });
    for (let i = 0; i < FREE_FAILURES; i++) await t.app.ctx.auth.throttle.failed(u.username);
    expect(await other.ctx.auth.throttle.delayFor(u.username)).toBe(1000);
    // The CLI (here a third connection) holds the write lock for a moment: the failure waits for it and counts.
    const cli = new Database(dbFile(t.config.dataDir));
    cli.exec('BEGIN IMMEDIATE');
    setTimeout(() => { cli.exec('COMMIT'); cli.close(); }, 300);
    await other.ctx.auth.throttle.failed(` ${u.username.toUpperCase()} `);
    expect(await t.app.ctx.auth.throttle.delayFor(u.username)).toBe(2000);
    // A successful login on one clears it on both.
    await other.ctx.auth.throttle.succeeded(u.username);
    expect(await t.app.ctx.auth.throttle.delayFor(u.username)).toBe(0);
    expect(t.db.prepare('SELECT COUNT(*) FROM login_failures').pluck().get()).toBe(0);
    other.ctx.db!.close();
    t.db.close();
    fs.rmSync(t.config.dataDir, { recursive: true, force: true });
  });
});
