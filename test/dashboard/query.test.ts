import { makeTestApp, loginAs, type TestApp, type Agent } from '../helpers/app';
import { seedDashboard, type DashboardSeed } from '../helpers/dashboard-factories';

describe('dashboard query parameters', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  let admin: Agent;
  beforeAll(async () => {
    t = makeTestApp();
    seed = seedDashboard(t.db);
    admin = await loginAs(t, 'admin');
  });
  afterAll(() => t.db.close());

  const collected = async (qs: string) => {
    const res = await admin.get(`/campaigns/${seed.campaignId}/dashboard${qs}`).expect(200);
    return { n: /<strong>([^<]+)<\/strong><span>收集意见/.exec(res.text)?.[1], text: res.text };
  };

  it('takes the first value of a repeated filter instead of dropping it', async () => {
    expect((await collected('')).n).toBe('10');
    expect((await collected(`?community=${seed.qingfeng}`)).n).toBe('4');
    expect((await collected(`?community=${seed.qingfeng}&community=${seed.yongan}`)).n).toBe('4');
    expect((await collected(`?community=${seed.yongan}&community=${seed.qingfeng}`)).n).toBe('5');
    expect((await collected('?by=week&by=day')).text).toContain('每周收到的意见');
    const r = await admin.get(`/dashboard?subdistrict=${seed.subdistrict}&subdistrict=${seed.otherSub}`);
    expect(r.headers.location).toBe(`/subdistricts/${seed.subdistrict}/dashboard`);
  });

  it('reads only plain decimal ids', async () => {
    expect((await collected(`?community=0x${seed.qingfeng.toString(16)}`)).n).toBe('10');
    expect((await admin.get(`/campaigns/0x${seed.campaignId.toString(16)}/dashboard`)).status).toBe(404);
    expect((await admin.get(`/subdistricts/${seed.subdistrict}e0/dashboard`)).status).toBe(404);
    expect((await admin.get(`/dashboard?subdistrict=0x${seed.subdistrict.toString(16)}`)).status).toBe(200);
  });
});
