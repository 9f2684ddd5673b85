import request from 'supertest';
import { loadConfig } from '../../src/config';
import { csrfFrom, loginAs, makeTestApp, TEST_PASSWORD, type Agent, type TestApp } from '../helpers/app';

// Logins (scrypt), page crawls and image encoding: slow on a loaded 2-core machine.
jest.setTimeout(180_000);

async function secondSession(t: TestApp, username: string, password = TEST_PASSWORD): Promise<Agent> {
  const agent = request.agent(t.app);
  const token = csrfFrom((await agent.get('/login')).text);
  const res = await agent.post('/login').type('form').send({ _csrf: token, username, password });
  expect(res.status).toBe(303);
  return Object.assign(agent, { csrf: '', userId: 0 });
}
const usernameOf = (t: TestApp, id: number) => t.db.prepare('SELECT username FROM users WHERE id = ?').pluck().get(id) as string;

describe('changing one\'s own password', () => {
  it('is linked from the header of every role and refuses short, common and mistyped passwords', async () => {
    const t = makeTestApp();
    for (const role of ['admin', 'staff', 'grid_worker', 'claimer'] as const) {
      const u = await loginAs(t, role);
      const home = await u.get(role === 'claimer' ? '/menu' : role === 'grid_worker' ? '/intake' : '/campaigns');
      expect(home.text).toContain('href="/account/password"');
      expect((await u.get('/account/password')).status).toBe(200);
    }
    const u = await loginAs(t, 'staff');
    const post = (fields: Record<string, string>) => u.post('/account/password').type('form').send({ _csrf: u.csrf, ...fields });
    const short = await post({ current: TEST_PASSWORD, next: 'Ab3-x', confirm: 'Ab3-x' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('密码至少 10 位');
    const common = await post({ current: TEST_PASSWORD, next: 'password123456', confirm: 'password123456' });
    expect(common.status).toBe(400);
    expect(common.text).toContain('太常见');
    const keyboard = await post({ current: TEST_PASSWORD, next: 'qwertyuiop', confirm: 'qwertyuiop' });
    expect(keyboard.text).toContain('太常见');
    const wrong = await post({ current: 'not-my-password', next: 'ginkgo-river-17', confirm: 'ginkgo-river-17' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('当前密码不正确');
    const mismatch = await post({ current: TEST_PASSWORD, next: 'ginkgo-river-17', confirm: 'ginkgo-river-18' });
    expect(mismatch.text).toContain('两次输入的新密码不一致');
    expect((await u.get('/account/password')).status).toBe(200);
  });

  it('ends the user\'s other sessions but keeps this one; the new password works and the old does not', async () => {
    const t = makeTestApp();
    const u = await loginAs(t, 'staff');
    const name = usernameOf(t, u.userId);
    const other = await secondSession(t, name);
    expect((await other.get('/campaigns')).status).toBe(200);
    const res = await u.post('/account/password').type('form')
      .send({ _csrf: u.csrf, current: TEST_PASSWORD, next: 'ginkgo-river-17', confirm: 'ginkgo-river-17' });
    expect(res.status).toBe(303);
    expect((await u.get('/campaigns')).status).toBe(200);
    expect((await other.get('/campaigns')).status).toBe(303);
    await secondSession(t, name, 'ginkgo-river-17');
    const agent = request.agent(t.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const old = await agent.post('/login').type('form').send({ _csrf: token, username: name, password: TEST_PASSWORD });
    expect(old.status).toBe(401);
    const actions = t.db.prepare("SELECT action FROM audit_log WHERE entity_type = 'user' AND entity_id = ? ORDER BY id").pluck().all(u.userId);
    expect(actions).toEqual(['login', 'login', 'password_changed', 'login', 'login_failed']);
  });
});

describe('admins', () => {
  it('cannot give an account a weak password, and a reset ends that user\'s sessions', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const weak = await admin.post('/admin/users').type('form')
      .send({ _csrf: admin.csrf, username: 'newbie', displayName: '新同事', role: 'staff', password: '1234567890' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('太常见');
    const named = await admin.post('/admin/users').type('form')
      .send({ _csrf: admin.csrf, username: 'zhangwei2024', displayName: '张伟', role: 'staff', password: 'zhangwei2024' });
    expect(named.status).toBe(400);

    const staff = await loginAs(t, 'staff');
    const reset = await admin.post(`/admin/users/${staff.userId}`).type('form')
      .send({ _csrf: admin.csrf, displayName: 'x', role: 'staff', password: 'quiet-ferry-208' });
    expect(reset.status).toBe(303);
    expect((await staff.get('/campaigns')).status).toBe(303);
    expect(t.db.prepare("SELECT user_id FROM audit_log WHERE action = 'password_reset' AND entity_id = ?").pluck().get(staff.userId)).toBe(admin.userId);
  });

  it('read successful and failed logins on 登录记录; other roles cannot', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const agent = request.agent(t.app);
    const token = csrfFrom((await agent.get('/login')).text);
    expect((await agent.post('/login').type('form').send({ _csrf: token, username: 'ghost-user', password: 'whatever-123' })).status).toBe(401);
    const page = await admin.get('/admin/logins');
    expect(page.status).toBe(200);
    expect(page.text).toContain('登录失败');
    expect(page.text).toContain('ghost-user');
    expect(page.text).toContain('用户名不存在');
    expect(page.text).toContain('登录成功');
    const staff = await loginAs(t, 'staff');
    expect((await staff.get('/admin/logins')).status).toBe(403);
  });
});

describe('LINSHENG_ADMIN_PASSWORD', () => {
  it('follows the same rule', () => {
    expect(() => loadConfig({ LINSHENG_ADMIN_PASSWORD: 'short' })).toThrow(/LINSHENG_ADMIN_PASSWORD: must be at least 10 characters/);
    expect(() => loadConfig({ LINSHENG_ADMIN_PASSWORD: 'password1234' })).toThrow(/not a common/);
    expect(loadConfig({ LINSHENG_ADMIN_PASSWORD: 'birch-lantern-42' }).adminPassword).toBe('birch-lantern-42');
  });
});
