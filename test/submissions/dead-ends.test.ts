import request from 'supertest';
import { makeTestApp, type TestApp } from '../helpers/app';
import { addDays, makeCampaign } from '../helpers/factories';
import { chinaToday } from '../../src/campaigns/rules';

const setOrganizer = (t: TestApp, campaignId: number, name: string, phone: string) =>
  t.db.prepare('UPDATE campaigns SET organizer_name = ?, organizer_phone = ? WHERE id = ?').run(name, phone, campaignId);

describe('no dead ends for residents', () => {
  let t: TestApp;
  beforeEach(() => { t = makeTestApp(); });
  afterEach(async () => { await t.app.ctx.scanCounter.stop(); t.db.close(); });

  it('an unknown QR code links to the receipt lookup and the home page', async () => {
    const res = await request(t.app).get('/q/NoSuchToken12').expect(404);
    expect(res.text).toContain('二维码无效');
    expect(res.text).toContain('<a href="/r">用回执码查询办理进度</a>');
    expect(res.text).toContain('<a href="/">邻声首页</a>');
  });

  it('an ended campaign links to the lookup, the community board and the organiser', async () => {
    const today = chinaToday();
    const c = makeCampaign(t.db, { startsOn: addDays(today, -30), endsOn: addDays(today, -1), qrAt: 'grid' });
    setOrganizer(t, c.campaignId, '建中街街道办事处', '0371-66881234转8001');
    const res = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    expect(res.text).toContain('征集已经结束');
    expect(res.text).toContain('<a href="/r">用回执码查询办理进度</a>');
    // The poster hangs in a grid: the board is its community's.
    expect(res.text).toContain(`<a href="/b/${c.communityId}">看看本社区居民的意见和办理情况</a>`);
    expect(res.text).toContain('有事请联系 建中街街道办事处：<a href="tel:037166881234,8001">0371-66881234转8001</a>');
    // A form sent after the end says the same, with the same ways on.
    const late = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ text: '路灯坏了' }).expect(409);
    expect(late.text).toContain(`<a href="/b/${c.communityId}">`);
    expect(late.text).toContain('tel:037166881234,8001');
  });

  it('a community contact stands in for the organiser on that community\'s posters; a campaign-wide code has no board link', async () => {
    const c = makeCampaign(t.db, { status: 'closed', qrAt: 'none' });
    setOrganizer(t, c.campaignId, '建中街街道办事处', '0371-66881234');
    const wide = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    expect(wide.text).not.toContain('/b/');
    expect(wide.text).toContain('有事请联系 建中街街道办事处');
    const d = makeCampaign(t.db, { status: 'draft', qrAt: 'compound' });
    t.db.prepare('INSERT INTO campaign_community_contacts (campaign_id, community_id, name, phone) VALUES (?, ?, ?, ?)')
      .run(d.campaignId, d.communityId, '永安社区居委会', '0371-66880001');
    const res = await request(t.app).get(`/q/${d.qrToken}`).expect(200);
    expect(res.text).toContain('征集还在准备中');
    expect(res.text).toContain('有事请联系 永安社区居委会：<a href="tel:037166880001">0371-66880001</a>');
  });

  it('shows the organiser and contact phone on the open form', async () => {
    const c = makeCampaign(t.db);
    setOrganizer(t, c.campaignId, '建中街街道办事处', '0371-66881234');
    const res = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    expect(res.text).toContain('<p class="r-org">主办：建中街街道办事处 咨询电话 <a href="tel:037166881234">0371-66881234</a></p>');
    const bare = makeCampaign(t.db, { title: '没有主办' });
    expect((await request(t.app).get(`/q/${bare.qrToken}`)).text).not.toContain('r-org');
  });

  it('a missing receipt and a page that does not exist offer the lookup in the residents\' layout', async () => {
    const receipt = await request(t.app).get('/r/ABCD2345').expect(404);
    expect(receipt.text).toContain('<a href="/r">');
    const missing = await request(t.app).get('/no/such/page').set('Accept', 'text/html').expect(404);
    expect(missing.text).toContain('<body class="resident">');
    expect(missing.text).toContain('<a href="/r">用回执码查询办理进度</a>');
    expect(missing.text).toContain('<a href="/">返回首页</a>');
  });
});
