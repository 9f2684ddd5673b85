import request from 'supertest';
import { csrfFrom, loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { ensurePlace, ensureSubdistrict, insertCampaign } from '../helpers/factories';
import { moveInOrder } from '../../src/categories/service';
import { mayChangeCategories } from '../../src/access/rules';

const names = (t: TestApp) => t.db.prepare('SELECT name FROM categories ORDER BY sort_order, id').pluck().all() as string[];
const byName = (t: TestApp, name: string) =>
  t.db.prepare('SELECT id, name, active, sort_order AS sortOrder FROM categories WHERE name = ?').get(name) as
    { id: number; name: string; active: number; sortOrder: number } | undefined;

describe('moveInOrder', () => {
  it('swaps with the neighbour and leaves the ends alone', () => {
    expect(moveInOrder([1, 2, 3], 2, 'up')).toEqual([2, 1, 3]);
    expect(moveInOrder([1, 2, 3], 2, 'down')).toEqual([1, 3, 2]);
    expect(moveInOrder([1, 2, 3], 1, 'up')).toEqual([1, 2, 3]);
    expect(moveInOrder([1, 2, 3], 3, 'down')).toEqual([1, 2, 3]);
    expect(moveInOrder([1, 2, 3], 9, 'up')).toEqual([1, 2, 3]);
  });
});

describe('mayChangeCategories', () => {
  const user = (role: 'admin' | 'staff' | 'grid_worker' | 'claimer', scopePlaceId: number | null = null) => ({ role, scopePlaceId });

  it('lets admins and staff of a sub-district or wider (or without a scope) change the shared list', () => {
    expect(mayChangeCategories(user('admin'), undefined)).toBe(true);
    expect(mayChangeCategories(user('admin', 5), 'community')).toBe(true);
    expect(mayChangeCategories(user('staff'), undefined)).toBe(true);
    expect(mayChangeCategories(user('staff', 2), 'subdistrict')).toBe(true);
    expect(mayChangeCategories(user('staff', 1), 'district')).toBe(true);
  });

  it('keeps community-level staff, staff whose scope place is gone, and other roles read-only', () => {
    expect(mayChangeCategories(user('staff', 3), 'community')).toBe(false);
    expect(mayChangeCategories(user('staff', 4), 'grid')).toBe(false);
    expect(mayChangeCategories(user('staff', 9), undefined)).toBe(false);
    expect(mayChangeCategories(user('grid_worker'), undefined)).toBe(false);
    expect(mayChangeCategories(user('claimer'), undefined)).toBe(false);
  });
});

describe('categories', () => {
  it('sends anonymous visitors to login and refuses their posts; refuses posts without CSRF', async () => {
    const t = makeTestApp();
    const res = await request(t.app).get('/categories').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fcategories');
    const anon = request.agent(t.app);
    const csrf = csrfFrom((await anon.get('/login')).text);
    for (const path of ['/categories', '/categories/1/rename', '/categories/1/move', '/categories/1/active', '/categories/1/delete']) {
      expect((await anon.post(path).type('form').send({ _csrf: csrf, name: 'x', direction: 'up', active: '0' })).status).toBe(401);
    }
    const admin = await loginAs(t, 'admin');
    await admin.post('/categories').type('form').send({ name: '无令牌' }).expect(403);
    expect(byName(t, '无令牌')).toBeUndefined();
    const worker = await loginAs(t, 'grid_worker');
    await worker.get('/categories').expect(403);
  });

  it('lists the seeded defaults and lets staff add, rename and reorder', async () => {
    const t = makeTestApp();
    const staff = await loginAs(t, 'staff');
    const page = await staff.get('/categories').expect(200);
    for (const n of ['环境卫生', '设施维修', '邻里纠纷', '其他']) expect(page.text).toContain(n);
    const post = (path: string, body: Record<string, string>) => staff.post(path).type('form').send({ _csrf: staff.csrf, ...body });

    await post('/categories', { name: '电梯加装' }).expect(303);
    expect(names(t).at(-1)).toBe('电梯加装');
    const dup = await post('/categories', { name: '环境卫生' });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain('已有名为「环境卫生」的分类');
    const empty = await post('/categories', { name: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写分类名称');
    const tooLong = await post('/categories', { name: '很'.repeat(21) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('最多 20 个字');

    const lift = byName(t, '电梯加装')!;
    await post(`/categories/${lift.id}/rename`, { name: '加装电梯' }).expect(303);
    expect(byName(t, '加装电梯')?.id).toBe(lift.id);
    const clash = await post(`/categories/${lift.id}/rename`, { name: '其他' });
    expect(clash.status).toBe(400);
    expect(clash.text).toContain('已有名为「其他」的分类');

    await post(`/categories/${lift.id}/move`, { direction: 'up' }).expect(303);
    expect(names(t).slice(-2)).toEqual(['加装电梯', '其他']);
    const first = byName(t, '环境卫生')!;
    await post(`/categories/${first.id}/move`, { direction: 'up' }).expect(303);
    expect(names(t)[0]).toBe('环境卫生');
    await post(`/categories/${first.id}/move`, { direction: 'sideways' }).expect(400);
    await post('/categories/9999/rename', { name: '无' }).expect(404);
  });

  it('deactivates and reactivates, and never deletes a category in use', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const post = (path: string, body: Record<string, string> = {}) => admin.post(path).type('form').send({ _csrf: admin.csrf, ...body });
    const parking = byName(t, '停车交通')!;
    insertCampaign(t.db, { categoryIds: [parking.id] });

    await post(`/categories/${parking.id}/active`, { active: '0' }).expect(303);
    expect(byName(t, '停车交通')?.active).toBe(0);
    expect((await admin.get('/categories')).text).toContain('已停用');
    await post(`/categories/${parking.id}/active`, { active: '1' }).expect(303);
    expect(byName(t, '停车交通')?.active).toBe(1);

    const refused = await post(`/categories/${parking.id}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('不能删除');
    expect(byName(t, '停车交通')).toBeDefined();

    await post('/categories', { name: '错字分类' }).expect(303);
    await post(`/categories/${byName(t, '错字分类')!.id}/delete`).expect(303);
    expect(byName(t, '错字分类')).toBeUndefined();
  });

  it('keeps at least one active category', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    t.db.prepare("UPDATE categories SET active = 0 WHERE name <> '其他'").run();
    const res = await admin.post(`/categories/${byName(t, '其他')!.id}/active`).type('form').send({ _csrf: admin.csrf, active: '0' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('至少要保留一个启用的分类');
  });

  it('shows community-level staff the list read-only and refuses their changes in Chinese', async () => {
    const t = makeTestApp();
    const { subdistrictId } = ensureSubdistrict(t.db);
    const community = ensurePlace(t.db, 'community', subdistrictId, '永安社区');
    const staff = await loginAs(t, 'staff', { scopePlaceId: community });
    const page = await staff.get('/categories').expect(200);
    expect(page.text).toContain('环境卫生');
    expect(page.text).toContain('只有管理员和街道一级的工作人员可以修改');
    expect(page.text).not.toMatch(/<form[^>]*action="\/categories/);
    expect(page.text).not.toContain('添加分类');

    const before = t.db.prepare('SELECT id, name, sort_order, active FROM categories ORDER BY id').all();
    const first = byName(t, '环境卫生')!;
    const post = (path: string, body: Record<string, string>) => staff.post(path).type('form').send({ _csrf: staff.csrf, ...body });
    for (const [path, body] of [
      ['/categories', { name: '社区自加' }],
      [`/categories/${first.id}/rename`, { name: '改个名' }],
      [`/categories/${first.id}/move`, { direction: 'down' }],
      [`/categories/${first.id}/active`, { active: '0' }],
      [`/categories/${first.id}/delete`, {}],
    ] as const) {
      const res = await post(path, body);
      expect(res.status).toBe(403);
      expect(res.text).toContain('分类目录是全街道共用的');
    }
    expect(t.db.prepare('SELECT id, name, sort_order, active FROM categories ORDER BY id').all()).toEqual(before);
  });

  it('lets sub-district staff change the list', async () => {
    const t = makeTestApp();
    const { subdistrictId } = ensureSubdistrict(t.db);
    const staff = await loginAs(t, 'staff', { scopePlaceId: subdistrictId });
    const page = await staff.get('/categories').expect(200);
    expect(page.text).toContain('添加分类');
    expect(page.text).not.toContain('只有管理员和街道一级的工作人员可以修改');
    await staff.post('/categories').type('form').send({ _csrf: staff.csrf, name: '电梯加装' }).expect(303);
    expect(byName(t, '电梯加装')).toBeDefined();
  });
});
