import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestApp, loginAs, viewerOf, type TestApp, type Agent } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { auditActions, issueServices, issueStatus, makeSubmission } from '../helpers/issues-factories';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082', 'hex');

describe('service menu and claims', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let staff: Agent;
  let dataDir: string;

  /** An accepted issue of two submissions, published to the menu through the route. */
  async function publishedIssue(opts: { multiple?: boolean } = {}) {
    const { issueService } = issueServices(t.db);
    const user = await viewerOf(t, staff.userId);
    const id = await issueService.create(user, c.campaignId, [makeSubmission(t.db, c).id, makeSubmission(t.db, c).id], { title: '3号楼电梯坏了', categoryId: null, priority: 2 });
    await issueService.changeStatus(user, id, 'accepted', null);
    const res = await staff.post(`/issues/${id}/publish`).type('form')
      .send({ _csrf: staff.csrf, title: '修好3号楼电梯', description: '联系物业和维保公司', ...(opts.multiple ? { allowMultipleClaimers: 'on' } : {}) });
    expect(res.status).toBe(303);
    const itemId = t.db.prepare('SELECT id FROM service_items WHERE issue_id = ?').pluck().get(id) as number;
    return { issueId: id, itemId };
  }

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-menu-'));
    t = makeTestApp({ dataDir });
    c = makeCampaign(t.db);
    staff = await loginAs(t, 'staff', { scopePlaceId: c.communityId });
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('publishes an issue to the menu (accepted → on_menu), once, and only when accepted', async () => {
    const { issueId, itemId } = await publishedIssue();
    expect(issueStatus(t.db, issueId)).toBe('on_menu');
    expect(auditActions(t.db, issueId)).toEqual(['create', 'status', 'status', 'publish']);
    const again = await staff.post(`/issues/${issueId}/publish`).type('form').send({ _csrf: staff.csrf, title: 'x' });
    expect(again.status).toBe(409);
    expect(t.db.prepare('SELECT COUNT(*) FROM service_items').pluck().get()).toBe(1);
    const page = await staff.get(`/issues/${issueId}`);
    expect(page.text).toContain(`/menu/items/${itemId}`);
    expect(page.text).toContain('发布到服务菜单：「修好3号楼电梯」（一人认领）');
  });

  it('shows claimers the menu with place and text but never residents’ names or phones', async () => {
    const { itemId } = await publishedIssue();
    makeSubmission(t.db, c, { text: '电梯坏了，有事打我电话13912345678' });
    const withPhone = t.db.prepare('SELECT MAX(id) FROM submissions').pluck().get() as number;
    t.db.prepare('UPDATE submissions SET issue_id = (SELECT issue_id FROM service_items WHERE id = ?) WHERE id = ?').run(itemId, withPhone);
    const claimer = await loginAs(t, 'claimer', { claimerKind: 'member' });
    const menu = await claimer.get('/menu');
    expect(menu.status).toBe(200);
    expect(menu.text).toContain('修好3号楼电梯');
    expect(menu.text).toContain('永安社区');
    const item = await claimer.get(`/menu/items/${itemId}`);
    expect(item.status).toBe(200);
    expect(item.text).toContain('测试建议');
    expect(item.text).toContain('有事打我电话139****5678');
    for (const page of [menu.text, item.text]) {
      expect(page).not.toContain('13912345678');
      expect(page).not.toContain('13812345678');
      expect(page).not.toContain('138****5678');
      expect(page).not.toContain('王秀兰');
      expect(page).not.toContain('王**');
    }
    expect((await claimer.get(`/campaigns/${c.campaignId}/issues`)).status).toBe(403);
    expect((await claimer.get('/menu/manage')).status).toBe(403);
  });

  it('lets a claimer claim once; a single-claimer item refuses a second claimer', async () => {
    const { issueId, itemId } = await publishedIssue();
    const first = await loginAs(t, 'claimer', { claimerKind: 'member' });
    const second = await loginAs(t, 'claimer', { claimerKind: 'unit' });
    expect((await first.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: first.csrf })).status).toBe(303);
    expect(issueStatus(t.db, issueId)).toBe('claimed');
    const twice = await first.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: first.csrf });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('您已经认领过这一项了');
    const other = await second.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: second.csrf });
    expect(other.status).toBe(409);
    expect(other.text).toContain('只需要一位认领人');
    expect(t.db.prepare('SELECT COUNT(*) FROM claims').pluck().get()).toBe(1);
    // Staff do not claim; claimers need CSRF like everyone.
    expect((await staff.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: staff.csrf })).status).toBe(403);
    expect((await second.post(`/menu/items/${itemId}/claim`).type('form').send({})).status).toBe(403);
  });

  it('lets several claimers hold a multi-claimer item', async () => {
    const { itemId } = await publishedIssue({ multiple: true });
    for (const kind of ['member', 'unit'] as const) {
      const a = await loginAs(t, 'claimer', { claimerKind: kind });
      expect((await a.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: a.csrf })).status).toBe(303);
    }
    expect(t.db.prepare('SELECT COUNT(*) FROM claims WHERE service_item_id = ?').pluck().get(itemId)).toBe(2);
  });

  it('runs claim → note with photo → done → staff resolve, with every step in the audit trail', async () => {
    const { issueId, itemId } = await publishedIssue();
    const claimer = await loginAs(t, 'claimer', { claimerKind: 'unit' });
    await claimer.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    // Resolving before the work started is refused.
    expect((await staff.post(`/issues/${issueId}/resolve`).type('form').send({ _csrf: staff.csrf })).status).toBe(409);

    const note = await claimer.post(`/menu/items/${itemId}/notes?_csrf=${claimer.csrf}`)
      .field('text', '已联系维保公司，明天更换主板').attach('photo', PNG, { filename: 'a.png', contentType: 'image/png' });
    expect(note.status).toBe(303);
    expect(issueStatus(t.db, issueId)).toBe('in_progress');
    const photo = t.db.prepare('SELECT photo_file FROM claim_notes').pluck().get() as string;
    expect(photo).toMatch(/^[0-9a-f]{24}\.png$/);
    const served = await staff.get(`/menu/photos/${photo}`);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');

    await claimer.post(`/menu/items/${itemId}/done`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    expect(t.db.prepare('SELECT status FROM claims').pluck().get()).toBe('done');
    expect(issueStatus(t.db, issueId)).toBe('in_progress');
    expect((await claimer.post(`/menu/items/${itemId}/done`).type('form').send({ _csrf: claimer.csrf })).status).toBe(409);
    // Claimers cannot confirm their own work.
    expect((await claimer.post(`/issues/${issueId}/resolve`).type('form').send({ _csrf: claimer.csrf })).status).toBe(403);

    await staff.post(`/issues/${issueId}/resolve`).type('form').send({ _csrf: staff.csrf, reply: '电梯已修好，感谢反映' }).expect(303);
    expect(issueStatus(t.db, issueId)).toBe('resolved');
    expect(t.db.prepare('SELECT resolved_at FROM issues WHERE id = ?').pluck().get(issueId)).toBeTruthy();
    expect(t.db.prepare('SELECT status FROM service_items WHERE id = ?').pluck().get(itemId)).toBe('closed');
    expect(auditActions(t.db, issueId)).toEqual([
      'create', 'status', 'status', 'publish', 'claim', 'status', 'note', 'status', 'done', 'resolve', 'reply',
    ]);
    const page = await staff.get(`/issues/${issueId}`);
    expect(page.text).toContain('认领');
    expect(page.text).toContain('确认办结（办理中 → 已办结）');
  });

  it('refuses a forged photo and a note from someone without the claim', async () => {
    const { itemId } = await publishedIssue();
    const claimer = await loginAs(t, 'claimer');
    await claimer.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    const forged = await claimer.post(`/menu/items/${itemId}/notes?_csrf=${claimer.csrf}`)
      .field('text', '进展').attach('photo', Buffer.from('<script>alert(1)</script>'), { filename: 'x.jpg', contentType: 'image/jpeg' });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('照片格式不正确');
    const lost = await claimer.post(`/menu/items/${itemId}/notes?_csrf=${claimer.csrf}`)
      .field('text', '进展').attach('photo', Buffer.from([0]), { filename: '\\', contentType: 'image/jpeg' });
    expect(lost.status).toBe(400);
    expect(lost.text).toContain('照片没有上传成功');
    const empty = await claimer.post(`/menu/items/${itemId}/notes?_csrf=${claimer.csrf}`).field('text', '');
    expect(empty.status).toBe(400);
    const noCsrf = await claimer.post(`/menu/items/${itemId}/notes`).field('text', '进展');
    expect(noCsrf.status).toBe(403);
    const stranger = await loginAs(t, 'claimer');
    const r = await stranger.post(`/menu/items/${itemId}/notes?_csrf=${stranger.csrf}`).field('text', '进展');
    expect(r.status).toBe(409);
    expect(t.db.prepare('SELECT COUNT(*) FROM claim_notes').pluck().get()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'uploads')) ? fs.readdirSync(path.join(dataDir, 'uploads')) : []).toEqual([]);
  });

  it('puts the issue back on the menu when its only claimer withdraws', async () => {
    const { issueId, itemId } = await publishedIssue();
    const claimer = await loginAs(t, 'claimer');
    await claimer.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    await claimer.post(`/menu/items/${itemId}/withdraw`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    expect(issueStatus(t.db, issueId)).toBe('on_menu');
    // Someone else may now claim it; the first claimer may claim again later too.
    const next = await loginAs(t, 'claimer');
    await next.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: next.csrf }).expect(303);
    expect(issueStatus(t.db, issueId)).toBe('claimed');
  });

  it('lets staff add standing services and close items; claimers of other communities do not see them', async () => {
    const bad = await staff.post('/menu/items').type('form').send({ _csrf: staff.csrf, title: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请选择社区');
    await staff.post('/menu/items').type('form')
      .send({ _csrf: staff.csrf, communityId: String(c.communityId), title: '帮独居老人买菜', description: '每周两次', allowMultipleClaimers: 'on' }).expect(303);
    const itemId = t.db.prepare("SELECT id FROM service_items WHERE title = '帮独居老人买菜'").pluck().get() as number;
    expect(t.db.prepare("SELECT action FROM audit_log WHERE entity_type = 'service_item' AND entity_id = ?").pluck().all(itemId)).toEqual(['create_item']);

    const other = makeCampaign(t.db, { community: '幸福社区' });
    const outsideStaff = await loginAs(t, 'staff', { scopePlaceId: other.communityId });
    const refused = await outsideStaff.post('/menu/items').type('form').send({ _csrf: outsideStaff.csrf, communityId: String(c.communityId), title: '法律咨询' });
    expect(refused.status).toBe(403);
    expect((await outsideStaff.post(`/menu/items/${itemId}/close`).type('form').send({ _csrf: outsideStaff.csrf })).status).toBe(404);

    const local = await loginAs(t, 'claimer', { scopePlaceId: c.communityId });
    const elsewhere = await loginAs(t, 'claimer', { scopePlaceId: other.communityId });
    expect((await local.get('/menu')).text).toContain('帮独居老人买菜');
    expect((await elsewhere.get('/menu')).text).not.toContain('帮独居老人买菜');
    expect((await elsewhere.get(`/menu/items/${itemId}`)).status).toBe(404);
    expect((await elsewhere.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: elsewhere.csrf })).status).toBe(404);
    expect((await local.post('/menu/items').type('form').send({ _csrf: local.csrf, communityId: String(c.communityId), title: 'x' })).status).toBe(403);

    await staff.post(`/menu/items/${itemId}/close`).type('form').send({ _csrf: staff.csrf }).expect(303);
    expect((await local.get('/menu')).text).not.toContain('帮独居老人买菜');
    const late = await local.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: local.csrf });
    expect(late.status).toBe(409);
    expect(late.text).toContain('已关闭');
  });

  it('takes only a plain decimal community id for a standing service, saying 请选择社区 otherwise', async () => {
    const id = c.communityId;
    // Hex, exponent, padded and "1.0" forms of the real community id were all taken by z.coerce.number.
    for (const communityId of ['0x10', '1e3', `0x${id.toString(16)}`, `${id}e0`, ` ${id}`, `${id}.0`, '+' + id, '0', '-1', '']) {
      const res = await staff.post('/menu/items').type('form').send({ _csrf: staff.csrf, communityId, title: '法律咨询' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('请选择社区');
      expect(res.text).toContain('value="法律咨询"');
    }
    expect(t.db.prepare("SELECT COUNT(*) FROM service_items WHERE title = '法律咨询'").pluck().get()).toBe(0);
    await staff.post('/menu/items').type('form').send({ _csrf: staff.csrf, communityId: String(id), title: '法律咨询' }).expect(303);
    expect(t.db.prepare("SELECT community_id FROM service_items WHERE title = '法律咨询'").pluck().get()).toBe(id);
  });

  it('shows a claimer their claims', async () => {
    const { itemId } = await publishedIssue();
    const claimer = await loginAs(t, 'claimer');
    await claimer.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    const mine = await claimer.get('/menu/mine');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('修好3号楼电梯');
    expect(mine.text).toContain('已认领');
  });
});
