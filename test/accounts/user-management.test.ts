import { createUser, loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { ensurePlace, ensureSubdistrict } from '../helpers/factories';

/** 二七区 → 建中街街道 → 长江路社区 → 第一网格, plus a compound beside the grid. */
function world(t: TestApp) {
  const { districtId, subdistrictId } = ensureSubdistrict(t.db);
  const communityId = ensurePlace(t.db, 'community', subdistrictId, '长江路社区');
  const gridId = ensurePlace(t.db, 'grid', communityId, '第一网格');
  const compoundId = ensurePlace(t.db, 'compound', communityId, '幸福小区');
  return { districtId, subdistrictId, communityId, gridId, compoundId };
}

const userRow = (t: TestApp, username: string) =>
  t.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Record<string, unknown> | undefined;
const gridsOf = (t: TestApp, userId: number) =>
  t.db.prepare('SELECT grid_id FROM user_grids WHERE user_id = ? ORDER BY grid_id').pluck().all(userId);
const countUsers = (t: TestApp) => t.db.prepare('SELECT COUNT(*) FROM users').pluck().get() as number;

const newUser = (admin: Agent, fields: Record<string, unknown>) => admin.post('/admin/users').type('form')
  .send({ _csrf: admin.csrf, username: 'newbie', displayName: '新同事', role: 'staff', password: 'longenough1', ...fields });

describe('the last active admin', () => {
  it('cannot demote themselves: 400, a Chinese message, nothing changed', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const before = t.db.prepare('SELECT * FROM users WHERE id = ?').get(admin.userId);
    const res = await admin.post(`/admin/users/${admin.userId}`).type('form')
      .send({ _csrf: admin.csrf, displayName: '改了名字', role: 'staff' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('至少要保留一个启用的管理员账号');
    expect(res.text).toContain('id="err-role"');
    expect(t.db.prepare('SELECT * FROM users WHERE id = ?').get(admin.userId)).toEqual(before);
    // Still an admin, still logged in.
    await admin.get('/admin/users').expect(200);
  });

  it('cannot disable themselves with 停用此账号', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const res = await admin.post(`/admin/users/${admin.userId}`).type('form')
      .send({ _csrf: admin.csrf, displayName: '管理员', role: 'admin', disabled: 'on', password: 'a-new-password' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('至少要保留一个启用的管理员账号');
    expect(res.text).toContain('id="err-disabled"');
    expect(t.db.prepare('SELECT role, disabled FROM users WHERE id = ?').get(admin.userId)).toEqual({ role: 'admin', disabled: 0 });
    await admin.get('/admin/users').expect(200);
  });

  it('may be demoted once another active admin exists; a disabled admin does not count', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const idle = createUser(t.db, { role: 'admin' });
    t.db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(idle.id);
    const refused = await admin.post(`/admin/users/${admin.userId}`).type('form')
      .send({ _csrf: admin.csrf, displayName: '管理员', role: 'staff' });
    expect(refused.status).toBe(400);

    const other = await loginAs(t, 'admin');
    await admin.post(`/admin/users/${admin.userId}`).type('form')
      .send({ _csrf: admin.csrf, displayName: '管理员', role: 'staff' }).expect(303);
    expect(t.db.prepare('SELECT role FROM users WHERE id = ?').pluck().get(admin.userId)).toBe('staff');
    // Now `other` is the last active admin and is refused in turn.
    const again = await other.post(`/admin/users/${other.userId}`).type('form')
      .send({ _csrf: other.csrf, displayName: '另一位', role: 'admin', disabled: 'on' });
    expect(again.status).toBe(400);
    expect(again.text).toContain('至少要保留一个启用的管理员账号');
    expect(t.db.prepare('SELECT disabled FROM users WHERE id = ?').pluck().get(other.userId)).toBe(0);
    // Re-enabling the disabled admin is fine, and then `other` may step down.
    await other.post(`/admin/users/${idle.id}`).type('form')
      .send({ _csrf: other.csrf, displayName: '老管理员', role: 'admin' }).expect(303);
    await other.post(`/admin/users/${other.userId}`).type('form')
      .send({ _csrf: other.csrf, displayName: '另一位', role: 'admin', disabled: 'on' }).expect(303);
    expect(t.db.prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").pluck().get()).toBe(1);
  });
});

describe('places chosen on the account form', () => {
  it('refuses an unknown grid when creating: 400 next to the grids, and no account written', async () => {
    const t = makeTestApp();
    world(t);
    const admin = await loginAs(t, 'admin');
    const users = countUsers(t);
    const res = await newUser(admin, { role: 'grid_worker', gridIds: '99999' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="err-gridIds">所选网格有的不存在/);
    expect(countUsers(t)).toBe(users);
    expect(userRow(t, 'newbie')).toBeUndefined();
  });

  it('refuses an unknown scope when creating', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const res = await newUser(admin, { scopePlaceId: '99999' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="err-scopePlaceId">所选负责范围不存在/);
    expect(userRow(t, 'newbie')).toBeUndefined();
  });

  it('refuses an unknown scope when updating, and keeps every other field as it was', async () => {
    const t = makeTestApp();
    const w = world(t);
    const admin = await loginAs(t, 'admin');
    const staff = createUser(t.db, { role: 'staff', scopePlaceId: w.communityId });
    const before = userRow(t, staff.username);
    const res = await admin.post(`/admin/users/${staff.id}`).type('form')
      .send({ _csrf: admin.csrf, displayName: '新名字', role: 'staff', scopePlaceId: '99999', password: 'another-pass1' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="err-scopePlaceId"');
    expect(userRow(t, staff.username)).toEqual(before);
  });

  it('refuses an unknown grid when updating, and keeps the old grids and name', async () => {
    const t = makeTestApp();
    const w = world(t);
    const admin = await loginAs(t, 'admin');
    const worker = createUser(t.db, { role: 'grid_worker', gridIds: [w.gridId] });
    const res = await admin.post(`/admin/users/${worker.id}`).type('form')
      .send({ _csrf: admin.csrf, displayName: '新名字', role: 'grid_worker', gridIds: [String(w.gridId), '99999'] });
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="err-gridIds"');
    expect(gridsOf(t, worker.id)).toEqual([w.gridId]);
    expect(userRow(t, worker.username)?.display_name).toBe(worker.username);
  });

  it('takes only grids as grids', async () => {
    const t = makeTestApp();
    const w = world(t);
    const admin = await loginAs(t, 'admin');
    for (const wrong of [w.communityId, w.compoundId, w.districtId]) {
      const res = await newUser(admin, { role: 'grid_worker', gridIds: String(wrong) });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="err-gridIds">「[^」]+」不是网格/);
    }
    expect(userRow(t, 'newbie')).toBeUndefined();
    await newUser(admin, { role: 'grid_worker', gridIds: String(w.gridId) }).expect(303);
    expect(gridsOf(t, userRow(t, 'newbie')!.id as number)).toEqual([w.gridId]);
  });

  it('takes only a district, sub-district or community as scope', async () => {
    const t = makeTestApp();
    const w = world(t);
    const admin = await loginAs(t, 'admin');
    for (const wrong of [w.gridId, w.compoundId]) {
      const res = await newUser(admin, { scopePlaceId: String(wrong) });
      expect(res.status).toBe(400);
      expect(res.text).toContain('负责范围只能是区、街道或社区');
    }
    expect(userRow(t, 'newbie')).toBeUndefined();
    for (const [i, ok] of [w.districtId, w.subdistrictId, w.communityId].entries()) {
      await newUser(admin, { username: `scoped${i}`, scopePlaceId: String(ok) }).expect(303);
      expect(userRow(t, `scoped${i}`)?.scope_place_id).toBe(ok);
    }
    // The form offers exactly those places.
    const form = await admin.get('/admin/users/new').expect(200);
    expect(form.text).toContain(`<option value="${w.districtId}"`);
    expect(form.text).not.toContain(`<option value="${w.gridId}"`);
  });

  it('refuses ids that are not whole numbers, as JSON too (true is not place 1)', async () => {
    const t = makeTestApp();
    const w = world(t);
    expect(w.districtId).toBe(1);
    const admin = await loginAs(t, 'admin');
    const json = (body: Record<string, unknown>) => admin.post('/admin/users').set('X-CSRF-Token', admin.csrf)
      .send({ username: 'newbie', displayName: '新同事', role: 'grid_worker', password: 'longenough1', ...body });

    const grids = await json({ gridIds: true });
    expect(grids.status).toBe(400);
    expect(grids.text).toContain('网格格式不正确');
    const scope = await json({ role: 'staff', scopePlaceId: true });
    expect(scope.status).toBe(400);
    expect(scope.text).toContain('负责范围格式不正确');
    const fraction = await newUser(admin, { role: 'grid_worker', gridIds: '1.5' });
    expect(fraction.status).toBe(400);
    expect(userRow(t, 'newbie')).toBeUndefined();
    expect(t.db.prepare('SELECT COUNT(*) FROM user_grids').pluck().get()).toBe(0);
  });

  it('says in Chinese when the claimer kind is not one of the two', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const res = await newUser(admin, { role: 'claimer', claimerKind: 'boss' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="err-claimerKind">认领人类型只能选在职党员或共建单位/);
    expect(userRow(t, 'newbie')).toBeUndefined();
  });
});
