import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp as makeSharedDirApp, type TestApp } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';
import { hiddenFields } from '../helpers/resident-client';
import { tinyPng } from './photos';

/**
 * The resident form's fast lane (src/resident/fast-lane.ts) answers the ordinary GET and POST before
 * Express, and hands everything else to the Express route. Whichever lane answers, a resident sees the same thing.
 */
// Each app in a data directory of its own: a stored photo must not land where other test files look for leftovers.
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
function makeTestApp(overrides: Parameters<typeof makeSharedDirApp>[0] = {}): TestApp {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-fast-lane-'));
  dirs.push(dataDir);
  return makeSharedDirApp({ dataDir, ...overrides });
}

const count = (t: TestApp) => t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get() as number;

/**
 * Response headers as a resident's browser gets them, without those that differ per response by design: the date,
 * the request id, the length (a token, a receipt code), the new resident cookie's value and the requests left.
 * Express adds a weak ETag to the form page, which the fast lane does not: the page is no-store and carries its
 * own token, so it can never be revalidated.
 */
function headersOf(res: request.Response): Record<string, string> {
  const perResponse = new Set(['date', 'connection', 'keep-alive', 'etag', 'content-length', 'x-request-id']);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (perResponse.has(name)) continue;
    out[name] = String(value).replace(/ls_resident=[\w-]+/, 'ls_resident=…').replace(/remaining=\d+/, 'remaining=…')
      .replace(/\/r\/[A-Z0-9]{8}/g, '/r/…');
  }
  return out;
}
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function openForm(t: TestApp, qrToken: string, path = `/q/${qrToken}`) {
  const res = await request(t.app).get(path).expect(200);
  return { res, fields: hiddenFields(res.text) };
}

/** A form as a browser posts it with no photo chosen: the file input still comes, as an empty part with no name. */
function postAsBrowser(t: TestApp, qrToken: string, fields: Record<string, string>) {
  const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
  let body = '';
  for (const [k, v] of Object.entries(fields)) body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  body += `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n\r\n`;
  body += `--${boundary}--\r\n`;
  return request(t.app).post(`/q/${qrToken}`).set('Content-Type', `multipart/form-data; boundary=${boundary}`)
    .set('Accept', BROWSER_ACCEPT).send(body);
}

function postMultipart(t: TestApp, qrToken: string, fields: Record<string, string>) {
  let req = request(t.app).post(`/q/${qrToken}`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req;
}

describe('the resident form fast lane', () => {
  it('answers an ordinary form load and submission itself, with the headers the Express route sends', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    // The first load renders the page through Express; it is kept, and later loads are sent by the fast lane.
    const viaExpress = await openForm(t, c.qrToken);
    expect(t.app.fastLane.stats.answered).toBe(0);
    const viaFast = await openForm(t, c.qrToken);
    expect(t.app.fastLane.stats.answered).toBe(1);
    expect(headersOf(viaFast.res)).toEqual(headersOf(viaExpress.res));
    expect(viaFast.res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(viaFast.res.headers['cache-control']).toBe('no-store');
    expect(viaFast.res.headers['set-cookie']?.[0]).toMatch(/^ls_resident=[\w-]{16,64}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=/);
    // The same page, but for its own token.
    expect(viaFast.fields.ft).not.toBe(viaExpress.fields.ft);
    expect(viaFast.res.text.replace(viaFast.fields.ft, '')).toBe(viaExpress.res.text.replace(viaExpress.fields.ft, ''));

    // As a browser posts it: the photo input comes as an empty file part when no photo was chosen.
    const fast = await postAsBrowser(t, c.qrToken, { ...viaFast.fields, kind: 'suggestion', text: '楼道灯坏了，晚上看不见路', building: '3号楼' });
    expect(t.app.fastLane.stats.answered).toBe(2);
    // A urlencoded post (a page from before every form was multipart) is the Express route's.
    const slow = await request(t.app).post(`/q/${c.qrToken}`).type('form').set('Accept', BROWSER_ACCEPT)
      .send({ ...viaExpress.fields, kind: 'suggestion', text: '小区门口的路灯不亮了', building: '5号楼' });
    expect(t.app.fastLane.stats.answered).toBe(2);
    for (const res of [fast, slow]) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/r\/[A-Z0-9]{8}\?new=1$/);
    }
    expect(headersOf(fast)).toEqual(headersOf(slow));
    expect(fast.text.replace(/[A-Z0-9]{8}/g, '…')).toBe(slow.text.replace(/[A-Z0-9]{8}/g, '…'));
    // Without an Accept header (curl, supertest), the plain-text body, as Express writes it too.
    const plain = await postMultipart(t, c.qrToken, { ...viaFast.fields, kind: 'wish', text: '希望多开几次理发义剪' });
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(plain.text).toMatch(/^See Other\. Redirecting to \/r\/[A-Z0-9]{8}\?new=1$/);
    expect(count(t)).toBe(3);
    const stored = t.db.prepare('SELECT text, building, channel, qr_code_id FROM submissions ORDER BY id').all();
    expect(stored[0]).toEqual({ text: '楼道灯坏了，晚上看不见路', building: '3号楼', channel: 'online', qr_code_id: c.qrCodeId });
  });

  it('stores a double-tapped submission once, as the route does', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    await openForm(t, c.qrToken);
    const { fields } = await openForm(t, c.qrToken);
    const send = () => postMultipart(t, c.qrToken, { ...fields, kind: 'wish', text: '希望小区多装几把长椅' });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(count(t)).toBe(1);
  });

  it('hands over what it does not judge, and the route answers as always, with what was typed kept', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    await openForm(t, c.qrToken);
    const { fields } = await openForm(t, c.qrToken);

    const expired = await postMultipart(t, c.qrToken, { ...fields, ft: '1.abc.def.ghi', kind: 'suggestion', text: '垃圾桶满了没人清' });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('页面已过期');
    expect(expired.text).toContain('垃圾桶满了没人清');

    const empty = await postMultipart(t, c.qrToken, { ...fields, kind: 'suggestion', text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请写下您的意见或心愿');

    const tooLong = await postMultipart(t, c.qrToken, { ...fields, kind: 'suggestion', text: '长'.repeat(5000) });
    expect(tooLong.status).toBe(413);
    expect(tooLong.text).toContain('提交的内容太长了');

    const repeated = await request(t.app).post(`/q/${c.qrToken}`).field('ft', fields.ft).field('kind', 'wish').field('text', 'a').field('text', 'b');
    expect(repeated.status).toBe(400);

    const withPhoto = await request(t.app).post(`/q/${c.qrToken}`).field('ft', fields.ft).field('kind', 'wish')
      .field('text', '健身器材坏了').attach('photo', tinyPng(), 'p.png');
    expect(withPhoto.status).toBe(303);
    expect(t.db.prepare('SELECT photo_file FROM submissions').pluck().get()).toMatch(/\.png$/);

    expect(t.app.fastLane.stats.handedOver).toBe(5);
    expect(count(t)).toBe(1);
  });

  it('leaves a failure before it answered to the route: an unreadable database is a 503 page, not a crash', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    await openForm(t, c.qrToken);
    const failure = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' });
    const peek = jest.spyOn(t.app.ctx.residentService, 'peek').mockImplementation(() => { throw failure; });
    const load = jest.spyOn(t.app.ctx.residentService, 'load').mockRejectedValue(failure);
    const res = await request(t.app).get(`/q/${c.qrToken}`);
    expect(res.status).toBe(503);
    expect(peek).toHaveBeenCalledTimes(1); // the fast lane
    expect(load).toHaveBeenCalledTimes(1); // then the route
  });

  it('hands a failed store to the route with its error: the busy page, what was typed kept, no second try', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    await openForm(t, c.qrToken);
    const { fields } = await openForm(t, c.qrToken);
    const submit = jest.spyOn(t.app.ctx.residentService, 'submit')
      .mockRejectedValue(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    const res = await postMultipart(t, c.qrToken, { ...fields, kind: 'suggestion', text: '电动车充电桩不够用' });
    expect(res.status).toBe(503);
    expect(res.text).toContain('服务器现在太忙');
    expect(res.text).toContain('电动车充电桩不够用');
    expect(submit).toHaveBeenCalledTimes(1);
    expect(t.app.fastLane.stats.handedOver).toBe(1);
  });

  it('counts each request once against the client limit, whichever lane answers it', async () => {
    const t = makeTestApp({ publicRateLimit: 4 });
    const c = makeCampaign(t.db);
    await openForm(t, c.qrToken); // Express, 1
    const { fields } = await openForm(t, c.qrToken); // fast, 2
    const handedOver = await postMultipart(t, c.qrToken, { ...fields, kind: 'suggestion', text: '' }); // fast, then Express: 3
    expect(handedOver.status).toBe(400);
    await postMultipart(t, c.qrToken, { ...fields, kind: 'suggestion', text: '电梯经常停' }).expect(303); // fast, 4
    const refused = await request(t.app).get(`/q/${c.qrToken}`);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('操作太频繁');
    expect(refused.headers['ratelimit']).toMatch(/^limit=4, remaining=0, reset=\d+$/);
    expect(count(t)).toBe(1);
  });

  it('counts a client behind a trusted proxy under its forwarded address', async () => {
    const t = makeTestApp({ publicRateLimit: 2, trustProxy: 1 });
    const c = makeCampaign(t.db);
    const from = (ip: string) => request(t.app).get(`/q/${c.qrToken}`).set('X-Forwarded-For', ip);
    await from('203.0.113.7').expect(200);
    await from('203.0.113.7').expect(200);
    expect((await from('203.0.113.7')).status).toBe(429);
    await from('203.0.113.8').expect(200);
    expect(t.app.fastLane.stats.answered).toBeGreaterThanOrEqual(2);
  });

  it('leaves a closed campaign, a query string and other methods to the route', async () => {
    const t = makeTestApp();
    const open = makeCampaign(t.db);
    const closed = makeCampaign(t.db, { status: 'closed' });
    await openForm(t, open.qrToken);
    await request(t.app).get(`/q/${open.qrToken}?from=poster`).expect(200);
    await request(t.app).head(`/q/${open.qrToken}`).expect(200);
    const res = await request(t.app).get(`/q/${closed.qrToken}`);
    expect(res.text).toContain('征集已经结束');
    expect(t.app.fastLane.stats.answered).toBe(0);
  });
});
