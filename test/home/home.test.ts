import request from 'supertest';
import { loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';
import { safeBackPath } from '../../src/http/big-text';

// Every app made here is stopped at the end (its scan counter's timer), so jest exits cleanly.
const made: TestApp[] = [];
const app = () => { const t = makeTestApp(); made.push(t); return t; };
afterAll(async () => { for (const t of made) { await t.app.ctx.scanCounter.stop(); t.db.close(); } });

describe('the site root greets residents', () => {
  let t: TestApp;
  beforeAll(() => { t = app(); });

  it('explains the site, offers the receipt lookup and keeps staff login a small link', async () => {
    const res = await request(t.app).get('/').expect(200);
    expect(res.text).toContain('扫一扫');
    expect(res.text).toContain('回执码');
    expect(res.text).toMatch(/<form[^>]*method="get"[^>]*action="\/r"/);
    expect(res.text).toMatch(/<p class="r-staff"><a href="\/login">工作人员登录<\/a><\/p>/);
    expect(res.text).toContain('class="r-big"');
  });

  it('still sends logged-in staff to where they work', async () => {
    const admin = await loginAs(t, 'admin');
    const res = await admin.get('/').redirects(0).expect(303);
    expect(res.headers.location).toBe('/campaigns');
  });
});

describe('favicon', () => {
  const t = app();
  it('is a small SVG, linked from the layouts and answered at /favicon.ico', async () => {
    const svg = await request(t.app).get('/static/favicon.svg').expect(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    const ico = await request(t.app).get('/favicon.ico').expect(200);
    expect(ico.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(ico.body.toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
    for (const path of ['/', '/r', '/login']) {
      expect((await request(t.app).get(path)).text).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    }
  });
});

describe('大字 switch', () => {
  let t: TestApp;
  let token: string;
  beforeAll(() => { t = app(); token = makeCampaign(t.db).qrToken; });

  it('is on every resident page and links back to the page it is on', async () => {
    for (const path of ['/', '/r', `/q/${token}`, '/r/ABCD2345', '/no-such-page']) {
      const res = await request(t.app).get(path);
      const m = /<a class="r-big" href="([^"]+)">大字<\/a>/.exec(res.text);
      expect([path, m?.[1]]).toEqual([path, `/big-text?on=1&amp;back=${encodeURIComponent(path)}`]);
    }
  });

  it('sets a cookie without JavaScript and goes back; the pages then say html class="big"', async () => {
    const agent = request.agent(t.app);
    const set = await agent.get(`/big-text?on=1&back=${encodeURIComponent(`/q/${token}`)}`).redirects(0).expect(303);
    expect(set.headers.location).toBe(`/q/${token}`);
    expect(String(set.headers['set-cookie'])).toMatch(/ls_big=1;.*Max-Age=31536000/);
    for (const path of ['/', '/r', `/q/${token}`]) {
      const res = await agent.get(path);
      expect(res.text).toContain('<html lang="zh-CN" class="big">');
      expect(res.text).toMatch(/<a class="r-big" href="\/big-text\?on=0&amp;back=[^"]+">标准字号<\/a>/);
    }
    const off = await agent.get('/big-text?on=0&back=/r').redirects(0).expect(303);
    expect(off.headers.location).toBe('/r');
    expect((await agent.get('/r')).text).toContain('<html lang="zh-CN">');
  });

  it('only ever goes back to a path on this site', async () => {
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '', '/big-text?on=1', '/a\r\nSet-Cookie: x=1']) {
      const res = await request(t.app).get(`/big-text?on=1&back=${encodeURIComponent(bad)}`).redirects(0).expect(303);
      expect([bad, res.headers.location]).toEqual([bad, '/']);
    }
    expect(safeBackPath('/r/ABCD2345?new=1')).toBe('/r/ABCD2345?new=1');
    expect(safeBackPath(['/r'])).toBe('/');
  });
});

describe('大字 pages and shared caches', () => {
  it('says the page varies by cookie', async () => {
    const t = app();
    expect((await request(t.app).get('/r')).headers.vary).toMatch(/Cookie/);
  });
});
