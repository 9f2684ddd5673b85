import { parse } from 'csv-parse/sync';
import { makeTestApp, loginAs, type TestApp, type Agent, binaryBody } from '../helpers/app';
import { seedDashboard, type DashboardSeed } from '../helpers/dashboard-factories';
import { withinDays } from '../../src/exports/service';


describe('exports: impossible dates and repeated filters', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  let admin: Agent;
  beforeAll(async () => {
    t = makeTestApp();
    seed = seedDashboard(t.db);
    // Issues registered on known days (China time): 03-02, 03-05, 03-09, 03-10.
    const days = ['2026-03-02T02:00:00.000Z', '2026-03-05T02:00:00.000Z', '2026-03-09T02:00:00.000Z', '2026-03-10T02:00:00.000Z'];
    Object.values(seed.issues).forEach((id, i) => t.db.prepare('UPDATE issues SET created_at = ? WHERE id = ?').run(days[i], id));
    admin = await loginAs(t, 'admin');
  });
  afterAll(() => t.db.close());

  const rows = async (path: string) => {
    const res = await admin.get(`/campaigns/${seed.campaignId}/${path}`).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    return (parse((res.body as Buffer).toString('utf8'), { bom: true }) as string[][]).length - 1;
  };

  it('ignores a date that is not on the calendar, in both exports alike', async () => {
    expect(await rows('submissions.csv')).toBe(10);
    for (const qs of ['from=2023-13-45', 'to=2023-13-45', 'from=2026-02-30', 'to=2026-02-30&from=2023-02-29']) {
      expect([qs, await rows(`submissions.csv?${qs}`)]).toEqual([qs, 10]);
      expect([qs, await rows(`issues.csv?${qs}`)]).toEqual([qs, 4]);
    }
    // The good bound of a pair still filters.
    expect(await rows('submissions.csv?from=2023-13-45&to=2026-03-09')).toBe(7);
    expect(await rows('issues.csv?from=2023-13-45&to=2026-03-05')).toBe(2);
    expect(await rows('issues.csv?from=2026-03-05&to=2026-03-09')).toBe(2);
  });

  it('takes the first value of a repeated filter instead of dropping it', async () => {
    expect(await rows(`submissions.csv?community=${seed.qingfeng}&community=${seed.yongan}`)).toBe(4);
    expect(await rows('submissions.csv?kind=wish&kind=suggestion')).toBe(2);
    expect(await rows('issues.csv?status=declined&status=new')).toBe(1);
    expect(await rows(`issues.csv?community=${seed.qingfeng}&community=${seed.yongan}`)).toBe(2);
    expect(await rows('submissions.csv?from=2026-03-09&from=2026-03-01&to=2026-03-09')).toBe(2);
  });

  it('takes no hexadecimal ids in the filters', async () => {
    expect(await rows(`submissions.csv?community=0x${seed.qingfeng.toString(16)}`)).toBe(10);
    expect((await admin.get(`/campaigns/0x${seed.campaignId.toString(16)}/submissions.csv`)).status).toBe(404);
  });

  it('withinDays treats an impossible bound as no bound rather than comparing text', () => {
    const iso = '2026-03-05T02:00:00.000Z';
    expect(withinDays(iso, '2023-13-45')).toBe(true);
    expect(withinDays(iso, undefined, '2023-13-45')).toBe(true);
    expect(withinDays(iso, '2026-03-05', '2026-03-05')).toBe(true);
    expect(withinDays(iso, '2026-03-06')).toBe(false);
  });
});
