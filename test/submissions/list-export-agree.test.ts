import { parse } from 'csv-parse/sync';
import { loginAs, type TestApp, type Agent, binaryBody } from '../helpers/app';
import { type DashboardSeed, useDashboardFixture } from '../helpers/dashboard-factories';

/**
 * The submission list, the exports and the dashboard build "which submissions" from one slice and one filter
 * (src/access/rules.ts campaignSlice, src/submissions/filter.ts): whoever asks, with whatever filter, they agree.
 * Before they shared it, sub-district staff saw 9 submissions on the list of this fixture and got 10 rows in the CSV.
 */
describe('the list, the exports and the dashboard count the same submissions', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  useDashboardFixture((made) => ({ t, seed } = made));

  const listTotal = async (agent: Agent, qs = '') => {
    const res = await agent.get(`/campaigns/${seed.campaignId}/submissions${qs}`);
    expect(res.status).toBe(200);
    return Number(/<span class="badge">(\d+) 条<\/span>/.exec(res.text)?.[1]);
  };
  const csvRows = async (agent: Agent, qs = '') => {
    const res = await agent.get(`/campaigns/${seed.campaignId}/submissions.csv${qs}`).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    return (parse((res.body as Buffer).toString('utf8'), { bom: true }) as string[][]).length - 1;
  };
  const dashboardTotal = async (agent: Agent, qs = '') => {
    const res = await agent.get(`/campaigns/${seed.campaignId}/dashboard${qs}`);
    expect(res.status).toBe(200);
    return Number(/<strong>([\d,]+)<\/strong><span>收集意见（条）<\/span>/.exec(res.text)?.[1].replace(/,/g, ''));
  };

  it('for each role and filter', async () => {
    const roles: Array<[string, Agent, number, boolean]> = [
      // who, as whom, how many they see in all, whether they have the dashboard
      ['admin', await loginAs(t, 'admin'), 10, true],
      ['sub-district staff', await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict }), 10, true],
      ['community staff', await loginAs(t, 'staff', { scopePlaceId: seed.yongan }), 5, true],
      ['grid worker', await loginAs(t, 'grid_worker', { gridIds: [seed.qingfengGrid] }), 3, false],
    ];
    const filters = ['', `?community=${seed.qingfeng}`, '?kind=wish', '?channel=online', '?from=2026-03-04&to=2026-03-09'];
    for (const [who, agent, expected, dashboard] of roles) {
      expect([who, await listTotal(agent)]).toEqual([who, expected]);
      for (const qs of filters) {
        const list = await listTotal(agent, qs);
        expect([who, qs, await csvRows(agent, qs)]).toEqual([who, qs, list]);
        // The dashboard filters by community only.
        if (dashboard && (qs === '' || qs.startsWith('?community'))) expect([who, qs, await dashboardTotal(agent, qs)]).toEqual([who, qs, list]);
      }
    }
  });
});
