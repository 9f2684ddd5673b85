import request from 'supertest';
import { createUser, makeTestApp, viewerOf } from '../helpers/app';
import { insertQrCode, makeCampaign } from '../helpers/factories';
import { createCampaignRepo } from '../../src/campaigns/repo';
import { createCategoryRepo } from '../../src/categories/repo';
import { engineOf } from '../helpers/test-database';
import { createQrRepo } from '../../src/qr/repo';

/** The resident form keeps what a QR token stands for in memory; staff changes must show on the next scan. */
describe('resident form cache', () => {
  it('shows a renamed code, a renamed category and a closed campaign at once', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    const get = () => request(t.app).get(`/q/${c.qrToken}`);
    const first = await get().expect(200);
    expect(first.text).not.toContain('新标签');

    await createQrRepo(engineOf(t.db).queries).rename(c.qrCodeId, '新标签');
    await createCategoryRepo(engineOf(t.db).queries).rename(c.categoryIds[0], '新分类名');
    const renamed = (await get().expect(200)).text;
    expect(renamed).toContain('新标签');
    expect(renamed).toContain('新分类名');

    await createCampaignRepo(engineOf(t.db).queries).setStatus(c.campaignId, 'closed');
    expect((await get().expect(200)).text).toContain('征集已经结束');
  });

  it('shows a campaign changed through the campaign and QR services (the app\'s own engine) at once', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    const { campaignService, qrService } = t.app.ctx;
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const get = async () => (await request(t.app).get(`/q/${c.qrToken}`).expect(200)).text;
    expect(await get()).toContain('<h1>冬季民生征求意见</h1>');

    const campaign = await campaignService.get(admin, c.campaignId, 'manage');
    const input = {
      ...campaign, title: '春季民生征求意见', communityIds: await campaignService.communityIds(c.campaignId),
      categoryIds: c.categoryIds, organizerName: '永安社区居委会', organizerPhone: '0371-66881234',
    };
    expect(await campaignService.update(admin, c.campaignId, input)).toMatchObject({ ok: true });
    const edited = await get();
    expect(edited).toContain('<h1>春季民生征求意见</h1>');
    expect(edited).toContain('0371-66881234');

    await qrService.rename(admin, c.qrCodeId, '改过的海报');
    expect(await get()).toContain('改过的海报');

    await campaignService.changeStatus(admin, c.campaignId, 'closed');
    expect(await get()).toContain('征集已经结束');
    await t.app.ctx.scanCounter.stop();
  });

  it('answers a code created after an unknown-token scan', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    await request(t.app).get('/q/brand-new-token').expect(404);
    insertQrCode(t.db, c.campaignId, 'brand-new-token', '新海报', null);
    await request(t.app).get('/q/brand-new-token').expect(200);
  });

  it('gives every fresh form its own token, only in the hidden field, whatever the campaign\'s words say', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db, { title: '标题里碰巧写了 ls-form-token-placeholder 这几个字' });
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const page = (await request(t.app).get(`/q/${c.qrToken}`).expect(200)).text;
      expect(page).toContain('<h1>标题里碰巧写了 ls-form-token-placeholder 这几个字</h1>');
      tokens.add(/name="ft" value="([^"]+)"/.exec(page)![1]);
    }
    expect(tokens.size).toBe(3);
    for (const ft of tokens) expect(ft).toMatch(/^\d+\.[0-9a-f]{32}\.[0-9a-z]+\.[\w-]{43}$/);
    const res = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft: [...tokens][0], kind: 'suggestion', text: '路灯不亮' });
    expect(res.status).toBe(303);
  });
  it('keeps a busy poster in the fast lane past its time to live, read again meanwhile; a change seen here drops it', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    const residents = t.app.ctx.residentService;
    expect(residents.peek(c.qrToken)).toBeUndefined(); // never read: the route reads it
    const first = (await residents.load(c.qrToken))!;
    expect(residents.peek(c.qrToken)).toBe(first);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 5000);
    try {
      const load = jest.spyOn(residents, 'load');
      // Past its time to live: still answered at once, and read again in the background.
      expect(residents.peek(c.qrToken)).toBe(first);
      // The read again takes a round trip to the database (on PostgreSQL more than a tick or two).
      for (let i = 0; i < 400 && residents.peek(c.qrToken) === first; i++) await new Promise((r) => setTimeout(r, 5));
      const again = residents.peek(c.qrToken);
      expect(again).not.toBe(first);
      expect(again).toEqual(first);
      expect(load).not.toHaveBeenCalled();
    } finally {
      clock.mockRestore();
    }
    await createQrRepo(engineOf(t.db).queries).rename(c.qrCodeId, '新标签');
    expect(residents.peek(c.qrToken)).toBeUndefined();
    expect((await residents.load(c.qrToken))!.qr.label).toBe('新标签');
  });
});
