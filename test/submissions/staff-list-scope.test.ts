import { loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { seedDashboard, type DashboardSeed, useDashboardFixture } from '../helpers/dashboard-factories';
import { insertQrCode, placeWriter } from '../helpers/factories';

/** The labels offered by the list page's 二维码 filter. */
const qrOptions = (html: string): string[] => {
  const select = /<select name="qr">([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  return [...select.matchAll(/<option value="\d+"[^>]*>([^<]*)<\/option>/g)].map((m) => m[1]);
};
const totalOf = (html: string) => /<span class="badge">(\d+) 条<\/span>/.exec(html)?.[1];

describe('GET /campaigns/:id/submissions: scope, QR filter and back link', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  /** 长江社区: in the same sub-district, not covered by the campaign. */
  let changjiang: number;
  let changjiangGrid: number;
  beforeAll(() => {
    t = makeTestApp();
    seed = seedDashboard(t.db);
    const places = placeWriter(t.db);
    changjiang = places.create('community', seed.subdistrict, '长江社区');
    changjiangGrid = places.create('grid', changjiang, '长江第一网格');
    // A second grid of 永安 with its own code: not a 第一网格 worker's.
    const yonganGrid2 = places.create('grid', seed.yongan, '第九网格');
    insertQrCode(t.db, seed.campaignId, 'tok-grid9-scope', '永安第九网格 车棚', yonganGrid2);
  });
  afterAll(() => t.db.close());

  const url = () => `/campaigns/${seed.campaignId}/submissions`;

  it('answers 404, like the campaign page, to staff and grid workers outside the campaign', async () => {
    const outsiders = [
      await loginAs(t, 'staff', { scopePlaceId: changjiang }),
      await loginAs(t, 'grid_worker', { gridIds: [changjiangGrid] }),
      await loginAs(t, 'staff', { scopePlaceId: seed.otherSub }),
    ];
    for (const agent of outsiders) {
      const res = await agent.get(url());
      expect(res.status).toBe(404);
      expect(res.text).toContain('找不到这个征求意见活动');
      expect(res.text).not.toContain('春季民生征求意见');
      expect(res.text).not.toContain('3号楼公告栏');
    }
    const changjiangStaff = outsiders[0];
    expect((await changjiangStaff.get(`/campaigns/${seed.campaignId}`)).status).toBe(404);
    // Those inside still get the page.
    expect((await (await loginAs(t, 'grid_worker', { gridIds: [seed.qingfengGrid] })).get(url())).status).toBe(200);
    expect((await (await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict })).get(url())).status).toBe(200);
  });

  it('offers only QR codes placed inside the user\'s scope; campaign-wide codes only to those who see it whole', async () => {
    const all = ['永安社区 3号楼公告栏', '庆丰第二网格 门岗', '庆丰社区 活动室', '街道办 大厅', '永安第九网格 车棚'];
    const admin = await loginAs(t, 'admin');
    expect(qrOptions((await admin.get(url()).expect(200)).text)).toEqual(all);
    const subdistrictStaff = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    expect(qrOptions((await subdistrictStaff.get(url()).expect(200)).text)).toEqual(all);

    const qingfeng = await loginAs(t, 'staff', { scopePlaceId: seed.qingfeng });
    const q = (await qingfeng.get(url()).expect(200)).text;
    expect(qrOptions(q)).toEqual(['庆丰第二网格 门岗', '庆丰社区 活动室']);
    expect(q).not.toContain('街道办 大厅');
    expect(q).not.toContain('永安第九网格');

    const gridWorker = await loginAs(t, 'grid_worker', { gridIds: [seed.yonganGrid] });
    // Their grid's community-wide poster, not another grid's, another community's or the campaign-wide one.
    expect(qrOptions((await gridWorker.get(url()).expect(200)).text)).toEqual(['永安社区 3号楼公告栏']);
  });

  it('links grid workers back to intake, not to the campaign page they may not open', async () => {
    const gridWorker = await loginAs(t, 'grid_worker', { gridIds: [seed.yonganGrid] });
    const page = (await gridWorker.get(url()).expect(200)).text;
    expect(page).toContain(`href="/intake?campaign=${seed.campaignId}"`);
    expect(page).not.toContain(`href="/campaigns/${seed.campaignId}"`);
    expect((await gridWorker.get(`/campaigns/${seed.campaignId}`)).status).toBe(403);
    expect((await gridWorker.get(`/intake?campaign=${seed.campaignId}`)).status).toBe(200);

    const staff = await loginAs(t, 'staff', { scopePlaceId: seed.yongan });
    expect((await staff.get(url()).expect(200)).text).toContain(`href="/campaigns/${seed.campaignId}">← 春季民生征求意见</a>`);
  });

  it('says 找不到这个意见 / 征求意见活动 in its 404s', async () => {
    const admin = await loginAs(t, 'admin');
    const sub = await admin.get('/submissions/999999');
    expect(sub.status).toBe(404);
    expect(sub.text).toContain('找不到这个意见。');
    expect(sub.text).not.toContain('这个这条');
    const campaign = await admin.get('/campaigns/999999/submissions');
    expect(campaign.status).toBe(404);
    expect(campaign.text).toContain('找不到这个征求意见活动。');
    expect(campaign.text).not.toContain('征集活动');
  });
});

describe('GET /campaigns/:id/submissions: impossible dates and repeated parameters', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  useDashboardFixture((made) => ({ t, seed } = made));

  const get = async (qs: string) => {
    const admin = await loginAs(t, 'admin');
    return (await admin.get(`/campaigns/${seed.campaignId}/submissions${qs}`).expect(200)).text;
  };

  it('ignores a date that is not on the calendar, and says so on the page', async () => {
    const bad = await get('?from=2023-13-45');
    expect(totalOf(bad)).toBe('10');
    expect(bad).toContain('日期“2023-13-45”不正确，已忽略。');
    expect(bad).toContain('name="from" value=""');
    // One bad bound is dropped, the good one still filters: received up to 03-09 China time.
    const half = await get('?from=2026-02-30&to=2026-03-09');
    expect(totalOf(half)).toBe('7');
    expect(half).toContain('日期“2026-02-30”不正确，已忽略。');
    expect(half).not.toContain('2026-03-09”不正确');
    expect(await get('?to=2023-02-29')).toContain('日期“2023-02-29”不正确，已忽略。');
    // The notice is escaped like everything else.
    const script = await get('?from=%3Cscript%3E');
    expect(script).toContain('日期“&lt;script&gt;”不正确，已忽略。');
    expect(script).not.toContain('<script>');
    // An empty date field is no filter, not a mistake; a real leap day is a date.
    const empty = await get('?from=&to=');
    expect(empty).not.toContain('不正确，已忽略');
    expect(totalOf(empty)).toBe('10');
    expect(await get('?from=2024-02-29')).not.toContain('不正确');
  });

  it('takes the first value of a repeated filter instead of dropping it', async () => {
    expect(totalOf(await get(`?community=${seed.qingfeng}&community=${seed.yongan}`))).toBe('4');
    expect(totalOf(await get('?kind=wish&kind=suggestion'))).toBe('2');
    expect(totalOf(await get(`?qr=${seed.qr.qingfengGrid}&qr=${seed.qr.yongan}`))).toBe('2');
    expect(totalOf(await get('?channel=meeting&channel=online'))).toBe('1');
    expect(totalOf(await get('?from=2026-03-09&from=2026-03-01&to=2026-03-09'))).toBe('2');
  });

  it('takes no hexadecimal or exponent ids in the filters', async () => {
    expect(totalOf(await get(`?community=0x${seed.qingfeng.toString(16)}`))).toBe('10');
    expect(totalOf(await get(`?community=${seed.qingfeng}e0`))).toBe('10');
  });
});
