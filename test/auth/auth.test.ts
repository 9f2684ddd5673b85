import request from 'supertest';
import { csrfFrom, createUser, loginAs, makeTestApp, TEST_PASSWORD, TEST_PASSWORD_HASH } from '../helpers/app';
import { hashPassword, verifyPassword } from '../../src/auth/password';
import { createAuthService } from '../../src/auth/service';
import { createSessionRepo, createUserRepo } from '../../src/auth/repo';
import type { Config } from '../../src/config';
import { sqliteEngine } from '../../src/db/engine';
import { openDb, type Db } from '../../src/db/open-db';
import { testConfig } from '../../src/config';

/** The auth service on its own, on a database, as the composition root wires it. */
function authOn(db: Db, config: Partial<Config> = {}, now?: () => number) {
  const engine = sqliteEngine(db);
  return createAuthService({ engine, users: createUserRepo(engine.queries), sessions: createSessionRepo(engine.queries), config: testConfig(config), now });
}

describe('passwords', () => {
  it('hashes with scrypt and verifies only the right password', async () => {
    const h = await hashPassword('s3cret-pass');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('s3cret-pass', h)).toBe(true);
    expect(await verifyPassword('wrong', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('keeps verifying hashes stored before hashing became asynchronous (same format, parameters read from the hash)', async () => {
    // Made by the earlier scryptSync code and stored in test/helpers/app.ts.
    expect(await verifyPassword(TEST_PASSWORD, TEST_PASSWORD_HASH)).toBe(true);
    // A hash with other parameters (N = 2^14) still verifies: they come from the stored string.
    const crypto = await import('node:crypto');
    const salt = crypto.randomBytes(16);
    const key = crypto.scryptSync('older-pass-word', salt, 32, { N: 1 << 14, r: 8, p: 1 });
    expect(await verifyPassword('older-pass-word', `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`)).toBe(true);
  });

  it('does not block the event loop while hashing', async () => {
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    await Promise.all([hashPassword('a-b-c-d-e-f-g'), hashPassword('h-i-j-k-l-m-n')]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('first admin', () => {
  it('is created once with the configured password, or a generated one', async () => {
    const db = openDb({ file: ':memory:' });
    const auth = authOn(db, { adminPassword: 'from-env-123' });
    expect(await auth.ensureAdmin()).toEqual({ created: true, username: 'admin', generatedPassword: undefined });
    expect((await auth.checkCredentials('admin', 'from-env-123'))?.role).toBe('admin');
    expect((await auth.ensureAdmin()).created).toBe(false);

    const db2 = openDb({ file: ':memory:' });
    const auth2 = authOn(db2);
    const made = await auth2.ensureAdmin();
    expect(made.generatedPassword).toMatch(/^[A-Za-z2-9]{16}$/);
    expect(await auth2.checkCredentials('admin', made.generatedPassword!)).toBeDefined();
  });

  it('expires sessions after the configured time', async () => {
    const db = openDb({ file: ':memory:' });
    let clock = 1_000_000;
    const auth = authOn(db, { sessionHours: 1 }, () => clock);
    const id = createUser(db, { role: 'staff' }).id;
    const s = await auth.startSession(id);
    expect((await auth.resolveSession(s.sessionId))?.user.id).toBe(id);
    clock += 3600 * 1000 + 1;
    expect(await auth.resolveSession(s.sessionId)).toBeUndefined();
  });
});

describe('login routes', () => {
  it('logs in with the right password and out again', async () => {
    const t = makeTestApp();
    const u = createUser(t.db, { role: 'admin' });
    const agent = request.agent(t.app);
    const page = await agent.get('/login').expect(200);
    expect(page.text).toContain('工作人员登录');
    const bad = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: u.username, password: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('用户名或密码不正确');
    const ok = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: u.username, password: TEST_PASSWORD, next: '/admin/users' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/admin/users');
    const users = await agent.get('/admin/users').expect(200);
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(users.text) }).expect(303);
    await agent.get('/admin/users').expect(303);
  });

  it('refuses a login post without the CSRF token', async () => {
    const t = makeTestApp();
    const u = createUser(t.db, { role: 'admin' });
    const res = await request(t.app).post('/login').type('form').send({ username: u.username, password: TEST_PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain('页面已过期');
  });

  it('never redirects to another site after login', async () => {
    const t = makeTestApp();
    const u = createUser(t.db, { role: 'admin' });
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: u.username, password: TEST_PASSWORD, next: '//evil.example/' });
    expect(res.headers.location).toBe('/');
  });

  it('throttles password guessing per client', async () => {
    const t = makeTestApp({ loginRateLimit: 3 });
    const agent = request.agent(t.app);
    const page = await agent.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: 'admin', password: 'guess' + i });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses[4]).toBe(429);
  });
});

describe('user management', () => {
  it('lets an admin create a grid worker with grids, and refuses staff', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const grid = t.db.prepare("INSERT INTO places (kind, name) VALUES ('grid', '第一网格')").run().lastInsertRowid;
    await admin.post('/admin/users').type('form')
      .send({ _csrf: admin.csrf, username: 'liwang', displayName: '李网格', role: 'grid_worker', gridIds: String(grid), password: 'longenough1' })
      .expect(303);
    const row = t.db.prepare('SELECT u.role, g.grid_id FROM users u JOIN user_grids g ON g.user_id = u.id WHERE username = ?').get('liwang');
    expect(row).toEqual({ role: 'grid_worker', grid_id: Number(grid) });

    const staff = await loginAs(t, 'staff');
    await staff.get('/admin/users').expect(403);
  });

  it('re-renders the form with Chinese errors on bad input', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const res = await admin.post('/admin/users').type('form').send({ _csrf: admin.csrf, username: 'bad name!', displayName: '', role: 'nope' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('用户名只能用');
    expect(res.text).toContain('请填写姓名');
  });
});
