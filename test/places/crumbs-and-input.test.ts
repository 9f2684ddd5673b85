import { loginAs, makeTestApp } from '../helpers/app';
import { seedTwoSubdistricts } from '../helpers/campaign-factories';

const nameOf = (t: ReturnType<typeof makeTestApp>, id: number) =>
  t.db.prepare('SELECT name FROM places WHERE id = ?').pluck().get(id) as string | undefined;
const crumbs = (html: string) => /<nav class="crumbs">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';

describe('places: breadcrumbs link only what the user may open', () => {
  it('names the district and sub-district above community staff without linking them', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const staff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.yongan });
    const nav = crumbs((await staff.get(`/places/${w.jianzhong.yonganGrids[0]}`).expect(200)).text);
    expect(nav).toContain('二七区');
    expect(nav).toContain('建中街街道');
    expect(nav).not.toContain(`href="/places/${w.districtId}"`);
    expect(nav).not.toContain(`href="/places/${w.jianzhong.id}"`);
    expect(nav).toContain(`<a href="/places/${w.jianzhong.yongan}">永安社区</a>`);
    // The plain ones are exactly those that would refuse them (as not found: out of scope answers like missing).
    await staff.get(`/places/${w.districtId}`).expect(404);
    await staff.get(`/places/${w.jianzhong.id}`).expect(404);
    await staff.get(`/places/${w.jianzhong.yongan}`).expect(200);

    const subdistrictStaff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.id });
    const sub = crumbs((await subdistrictStaff.get(`/places/${w.jianzhong.yonganGrids[0]}`).expect(200)).text);
    expect(sub).not.toContain(`href="/places/${w.districtId}"`);
    expect(sub).toContain(`<a href="/places/${w.jianzhong.id}">建中街街道</a>`);

    const admin = await loginAs(t, 'admin');
    const all = crumbs((await admin.get(`/places/${w.jianzhong.yonganGrids[0]}`).expect(200)).text);
    for (const id of [w.districtId, w.jianzhong.id, w.jianzhong.yongan]) expect(all).toContain(`href="/places/${id}"`);
  });
});

describe('places: ids are plain decimal numbers', () => {
  it('does not read 0x2 or 2e0 as place 2', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const target = w.jianzhong.id;
    const before = nameOf(t, target);
    for (const id of [`0x${target.toString(16)}`, `${target}e0`, `${target}.0`, `%20${target}`, `+${target}`]) {
      const res = await admin.post(`/places/${id}/rename`).type('form').send({ _csrf: admin.csrf, name: '被改名' });
      expect([id, res.status]).toEqual([id, 404]);
      expect((await admin.get(`/places/${id}`)).status).toBe(404);
    }
    expect(nameOf(t, target)).toBe(before);
    await admin.post(`/places/${target}/rename`).type('form').send({ _csrf: admin.csrf, name: '建中街道' }).expect(303);
    expect(nameOf(t, target)).toBe('建中街道');
  });
});

describe('places: a bad parent says so', () => {
  it('re-renders the tree with a message for an unreadable parentId, for admins and scoped staff', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    for (const parentId of ['1.5', '0x1', 'abc', '-1']) {
      const res = await admin.post('/places').type('form').send({ _csrf: admin.csrf, parentId, kind: 'grid', name: '新网格' });
      expect([parentId, res.status]).toEqual([parentId, 400]);
      expect(res.text).toContain('上级地点格式不正确。请打开要添加到的上级地点的页面，在那里添加。');
      expect(res.text).toContain('role="alert"');
    }
    const staff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.yongan });
    const res = await staff.post('/places').type('form').send({ _csrf: staff.csrf, parentId: '1.5', kind: 'grid', name: '' });
    expect(res.status).toBe(400);
    // No add form on their tree page: every message shows at the top.
    expect(res.text).toContain('上级地点格式不正确；请填写名称。请打开要添加到的上级地点的页面');
    expect(t.db.prepare("SELECT COUNT(*) FROM places WHERE name = '新网格'").pluck().get()).toBe(0);
  });
});
