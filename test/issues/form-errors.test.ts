import { makeTestApp, loginAs, type TestApp, type Agent } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { auditActions, issueStatus, issueSubmissionIds, makeSubmission } from '../helpers/issues-factories';

/** The page-level message a refused issue form comes back with. */
const alertOf = (html: string) => /<p class="form-error" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

describe('issue page: refused forms say why', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let staff: Agent;

  const createIssue = async (ids: number[], title = '3号楼电梯坏了') => {
    const res = await staff.post(`/campaigns/${c.campaignId}/issues`).type('form')
      .send({ _csrf: staff.csrf, submissionIds: ids.map(String), title, priority: '2', return: 'issue' });
    expect(res.status).toBe(303);
    return Number(/\/issues\/(\d+)/.exec(res.headers.location)![1]);
  };
  const post = (path: string, body: Record<string, unknown>) => staff.post(path).type('form').send({ _csrf: staff.csrf, ...body });

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db);
    staff = await loginAs(t, 'staff', { scopePlaceId: c.communityId });
  });

  it('detach: a bad submission number or destination re-renders the page with a Chinese message', async () => {
    const subs = [makeSubmission(t.db, c), makeSubmission(t.db, c)];
    const id = await createIssue(subs.map((s) => s.id));
    for (const submissionId of ['1.5', '0x1', '', `${subs[0].id}e0`]) {
      const res = await post(`/issues/${id}/detach`, { submissionId, to: 'new' });
      expect([submissionId, res.status]).toEqual([submissionId, 400]);
      expect(alertOf(res.text)).toBe('要拆出的建议编号格式不正确。请刷新页面后重试。');
      expect(res.text).toContain(`<h1>#${id} `);
    }
    const badTo = await post(`/issues/${id}/detach`, { submissionId: String(subs[0].id), to: 'nowhere' });
    expect(badTo.status).toBe(400);
    expect(alertOf(badTo.text)).toBe('请选择拆出后去哪里：拆为新问题，或移回待归类。请刷新页面后重试。');
    expect(issueSubmissionIds(t.db, id)).toEqual(subs.map((s) => s.id));
    expect(auditActions(t.db, id)).toEqual(['create']);
  });

  it('status: an unknown target status says so on the page', async () => {
    const id = await createIssue([makeSubmission(t.db, c).id]);
    for (const to of ['bogus', '', 'ACCEPTED']) {
      const res = await post(`/issues/${id}/status`, { to });
      expect([to, res.status]).toEqual([to, 400]);
      expect(alertOf(res.text)).toBe('目标状态不正确，请刷新页面后重新选择。');
    }
    expect(issueStatus(t.db, id)).toBe('new');
    // The decline reason keeps its message beside the field too.
    const noReason = await post(`/issues/${id}/status`, { to: 'declined', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('<span class="field-error" id="err-reason">请填写未采纳的原因');
  });

  it('resolve: a reply over 500 characters comes back with the message and the typed text', async () => {
    const id = await createIssue([makeSubmission(t.db, c).id]);
    await post(`/issues/${id}/status`, { to: 'accepted' }).expect(303);
    await post(`/issues/${id}/status`, { to: 'in_progress' }).expect(303);
    const long = '已修好'.repeat(167) + '了';
    expect(long.length).toBe(502);
    const res = await post(`/issues/${id}/resolve`, { reply: long });
    expect(res.status).toBe(400);
    expect(alertOf(res.text)).toBe('给居民的回复最多 500 个字。');
    const resolveForm = /<form method="post" action="\/issues\/\d+\/resolve"[\s\S]*?<\/form>/.exec(res.text)![0];
    expect(resolveForm).toContain(long);
    expect(resolveForm).toContain('给居民的回复最多 500 个字');
    expect(issueStatus(t.db, id)).toBe('in_progress');
    await post(`/issues/${id}/resolve`, { reply: '已修好' }).expect(303);
    expect(issueStatus(t.db, id)).toBe('resolved');
  });

  it('merge: only plain digits name an issue (0x… is not one)', async () => {
    const a = await createIssue([makeSubmission(t.db, c).id], '甲');
    const b = await createIssue([makeSubmission(t.db, c).id], '乙');
    const res = await post(`/issues/${a}/merge`, { sourceId: `0x${b.toString(16)}` });
    expect(res.status).toBe(400);
    expect(res.text).toContain('要并入的问题编号应为数字');
    expect(issueStatus(t.db, b)).toBe('new');
    expect((await post(`/issues/${a}/merge`, { sourceId: '' })).text).toContain('请填写要并入的问题编号');
    await post(`/issues/${a}/merge`, { sourceId: `#${b}` }).expect(303);
  });

  it('the list takes the first of a repeated filter', async () => {
    const accepted = await createIssue([makeSubmission(t.db, c).id], '甲');
    const fresh = await createIssue([makeSubmission(t.db, c).id], '乙');
    await post(`/issues/${accepted}/status`, { to: 'accepted' }).expect(303);
    const ids = async (qs: string) => [...(await staff.get(`/campaigns/${c.campaignId}/issues${qs}`).expect(200)).text
      .matchAll(/<a href="\/issues\/(\d+)">/g)].map((m) => Number(m[1]));
    expect(await ids('?status=accepted&status=new')).toEqual([accepted]);
    expect(await ids('?status=new&status=accepted')).toEqual([fresh]);
    expect((await ids(`?community=${c.communityId}&community=999`)).sort()).toEqual([accepted, fresh].sort());
    expect(await ids(`?community=999&community=${c.communityId}`)).toEqual([]);
  });
});
