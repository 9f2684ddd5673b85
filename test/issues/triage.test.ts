import { makeTestApp, loginAs, type TestApp, type Agent } from '../helpers/app';
import { ensurePlace, makeCampaign, type MadeCampaign } from '../helpers/factories';
import { issueSubmissionIds, makeSubmission } from '../helpers/issues-factories';

/** The groups on a queue page: each group's key and member ids, as the page lists them. */
function groupsOf(html: string): Array<{ key: number; members: number[] }> {
  return [...html.matchAll(/name="members\.(\d+)" value="([\d,]+)"/g)].map((m) => ({ key: Number(m[1]), members: m[2].split(',').map(Number) }));
}

describe('the triage queue', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let staff: Agent;
  let otherCommunity: number;
  const queue = () => `/campaigns/${c.campaignId}/issues/unassigned`;
  const page = async (agent: Agent = staff) => (await agent.get(queue()).expect(200)).text;
  const post = (body: Record<string, unknown>, agent: Agent = staff) => agent.post(queue()).type('form').send({ _csrf: agent.csrf, ...body });
  /** The form fields of a whole page, as a browser would send them with one button. */
  const fields = (html: string) => Object.fromEntries([...html.matchAll(/<input type="hidden" name="((?:members|of)\.\d+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]));

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db);
    // The campaign covers a second community, whose staff see only theirs.
    otherCommunity = ensurePlace(t.db, 'community', c.subdistrictId, '庆丰社区');
    t.db.prepare('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)').run(c.campaignId, otherCommunity);
    staff = await loginAs(t, 'staff', { scopePlaceId: c.subdistrictId });
  });

  it('shows groups, not cards, with community, building, channel and date on each line', async () => {
    const a = makeSubmission(t.db, c, { text: '2号楼电梯坏了好几天了', building: '2号楼1单元' });
    const b = makeSubmission(t.db, c, { text: '电梯又卡住了，2号楼的住户都在爬楼梯' });
    const html = await page();
    expect(groupsOf(html)).toEqual([{ key: Math.min(a.id, b.id), members: [a.id, b.id] }]);
    expect(html).toContain('永安社区');
    expect(html).toContain('2号楼1单元');
    expect(html).toContain('线上扫码');
    expect(html).toMatch(/name="title\.\d+"[^>]*value="[^"]*电梯/);
  });

  it('turns a group into an issue with one action, with the title and category as edited', async () => {
    const a = makeSubmission(t.db, c, { text: '2号楼电梯坏了好几天了' });
    const b = makeSubmission(t.db, c, { text: '电梯又停运了' });
    const html = await page();
    const [g] = groupsOf(html);
    const res = await post({ ...fields(html), do: `create:${g.key}`, [`title.${g.key}`]: '2号楼电梯经常停运', [`categoryId.${g.key}`]: String(c.categoryIds[1]) });
    expect(res.status).toBe(303);
    const issue = t.db.prepare('SELECT id, title, category_id AS categoryId FROM issues').get() as { id: number; title: string; categoryId: number };
    expect(issue).toMatchObject({ title: '2号楼电梯经常停运', categoryId: c.categoryIds[1] });
    expect(issueSubmissionIds(t.db, issue.id)).toEqual([a.id, b.id]);
    expect(groupsOf(await page())).toEqual([]);
  });

  it('joins a group to an open issue chosen by typing part of its title, and says when the words fit several or none', async () => {
    const first = makeSubmission(t.db, c, { text: '楼道灯不亮' });
    const other = makeSubmission(t.db, c, { text: '希望社区组织义诊' });
    const html0 = await page();
    const groups0 = groupsOf(html0);
    for (const g of groups0) {
      const title = g.members.includes(first.id) ? '3号楼楼道灯不亮' : '3号楼门前办义诊';
      await post({ ...fields(html0), do: `create:${g.key}`, [`title.${g.key}`]: title }).expect(303);
    }
    const light = t.db.prepare("SELECT id FROM issues WHERE title = '3号楼楼道灯不亮'").pluck().get() as number;
    const s = makeSubmission(t.db, c, { text: '三号楼一单元楼梯上的声控灯坏了' });
    const html = await page();
    const [g] = groupsOf(html);
    expect(g.members).toEqual([s.id]);
    // The engine proposes the matching issue already; staff may type instead.
    expect(html).toContain(`#${light} 3号楼楼道灯不亮`);
    const none = await post({ ...fields(html), do: `join:${g.key}`, [`issue.${g.key}`]: '游泳池' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('没有找到标题含「游泳池」的未办结问题');
    const several = await post({ ...fields(html), do: `join:${g.key}`, [`issue.${g.key}`]: '3号楼' });
    expect(several.status).toBe(400);
    expect(several.text).toContain('不止一个');
    await post({ ...fields(html), do: `join:${g.key}`, [`issue.${g.key}`]: '楼道灯' }).expect(303);
    expect(issueSubmissionIds(t.db, light)).toEqual([first.id, s.id]);
    expect(issueSubmissionIds(t.db, light)).not.toContain(other.id);
  });

  it('splits a member off and moves one between groups, and remembers both', async () => {
    const a = makeSubmission(t.db, c, { text: '2号楼电梯坏了' });
    const b = makeSubmission(t.db, c, { text: '电梯停运好几天了' });
    const d = makeSubmission(t.db, c, { text: '楼下垃圾桶满了没人清运' });
    let html = await page();
    expect(groupsOf(html).map((g) => g.members)).toEqual([[a.id, b.id], [d.id]]);
    await post({ ...fields(html), do: `split:${b.id}` }).expect(303);
    html = await page();
    expect(groupsOf(html).map((g) => g.members).sort()).toEqual([[a.id], [b.id], [d.id]].sort());
    // Moved into the rubbish group (say staff know better): it stays there on every later page.
    const rubbish = groupsOf(html).find((g) => g.members.includes(d.id))!;
    await post({ ...fields(html), do: `move:${b.id}`, [`to.${b.id}`]: String(rubbish.key) }).expect(303);
    expect(groupsOf(await page()).map((g) => g.members).sort()).toEqual([[a.id], [b.id, d.id]].sort());
    expect(groupsOf(await page()).map((g) => g.members).sort()).toEqual([[a.id], [b.id, d.id]].sort());
  });

  it('declines with a reply the resident reads on the receipt, and can put it back', async () => {
    const s = makeSubmission(t.db, c, { text: '希望小区建个游泳池' });
    const html = await page();
    const [g] = groupsOf(html);
    const noReason = await post({ ...fields(html), do: `decline:${g.key}` });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('请填写不立项的原因');
    await post({ ...fields(html), do: `decline:${g.key}`, [`reason.${g.key}`]: '小区没有建设用地，已转交区体育局' }).expect(303);
    expect(groupsOf(await page())).toEqual([]);
    const receipt = await t.app.ctx.residentService.receipt(s.receiptCode);
    expect(receipt?.outcome).toMatchObject({ status: 'declined', declineReason: '小区没有建设用地，已转交区体育局' });
    const { text } = await staff.get(`/r/${s.receiptCode}`);
    expect(text).toContain('小区没有建设用地，已转交区体育局');
    await staff.post(`/submissions/${s.id}/undecline`).type('form').send({ _csrf: staff.csrf }).expect(303);
    expect(groupsOf(await page()).map((x) => x.members)).toEqual([[s.id]]);
  });

  it('handles several groups at once', async () => {
    const ids = ['2号楼电梯坏了', '楼道里堆满杂物', '希望组织书法班'].map((text) => makeSubmission(t.db, c, { text }).id);
    const html = await page();
    const groups = groupsOf(html);
    expect(groups).toHaveLength(3);
    const [g1, g2, g3] = groups;
    await post({ ...fields(html), do: 'bulk-create', pick: [String(g1.key), String(g2.key)], [`title.${g1.key}`]: '电梯', [`title.${g2.key}`]: '杂物' }).expect(303);
    expect(t.db.prepare('SELECT title FROM issues ORDER BY id').pluck().all()).toEqual(['电梯', '杂物']);
    const rest = await page();
    await post({ ...fields(rest), do: 'bulk-decline', pick: [String(g3.key)], bulkReason: '已有书法班，欢迎报名' }).expect(303);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions WHERE issue_id IS NULL AND declined_at IS NULL').pluck().get()).toBe(0);
    expect(ids).toHaveLength(3);
  });

  it('keeps community A’s staff to A: no B suggestions in groups, and no acting on them', async () => {
    const mine = makeSubmission(t.db, c, { text: '2号楼电梯坏了' });
    const theirs = makeSubmission(t.db, c, { text: '2号楼电梯坏了', communityId: otherCommunity, gridId: null, compoundId: null });
    const a = await loginAs(t, 'staff', { scopePlaceId: c.communityId });
    const html = await page(a);
    expect(groupsOf(html)).toEqual([{ key: mine.id, members: [mine.id] }]);
    expect(html).not.toContain(`#${theirs.id}`);
    // The same text in two communities is two groups for those who see both.
    expect(groupsOf(await page()).map((g) => g.members).sort()).toEqual([[mine.id], [theirs.id]].sort());
    // A forged form naming B's suggestion is refused and changes nothing.
    const forged = await post({ [`members.${theirs.id}`]: String(theirs.id), do: `create:${theirs.id}`, [`title.${theirs.id}`]: 'x' }, a);
    expect(forged.status).toBe(404);
    const decline = await post({ [`members.${theirs.id}`]: String(theirs.id), do: `decline:${theirs.id}`, [`reason.${theirs.id}`]: 'x' }, a);
    expect(decline.status).toBe(404);
    expect(t.db.prepare('SELECT issue_id, declined_at FROM submissions WHERE id = ?').get(theirs.id)).toEqual({ issue_id: null, declined_at: null });
    expect(t.db.prepare('SELECT COUNT(*) FROM issues').pluck().get()).toBe(0);
  });

  it('refuses bad forms with a clear message, never a 500', async () => {
    makeSubmission(t.db, c, { text: '2号楼电梯坏了' });
    const html = await page();
    for (const body of [{}, { do: 'drop:1' }, { do: 'create:1' }, { do: 'move:1' }, { do: 'bulk-create' }, { do: 'create:x' }, { ...fields(html), do: 'create:99999' }]) {
      const res = await post(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.text).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
