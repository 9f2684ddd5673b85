import { failWrites } from '../helpers/fail-writes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { runDemo } from '../../src/demo/seed';
import { createLogger } from '../../src/lib/logger';
import { loginAs, TEST_PASSWORD, type TestApp } from '../helpers/app';
import { SESSION_COOKIE } from '../../src/auth/middleware';
import { hiddenFields } from '../helpers/resident-client';
import { concretePath, routeTable } from '../helpers/route-table';

/**
 * No personal data in any log line (src/lib/logger.ts says what may be logged). The demo's residents, then a
 * resident's own submission, rating and mistakes, then every GET page as a staff member who sees personal data and
 * as one who does not, exports included, and a failing write with its stack: all with the logger at its most
 * talkative level, kept. The log must then hold none of the residents' names, phones, texts or receipt codes, no
 * QR or form token, and no session cookie; it must hold one line per request with the route pattern.
 */
describe('the log of a full run holds no personal data', () => {
  const lines: string[] = [];
  let dataDir: string;
  let db: Db;
  let t: TestApp;
  const formTokens: string[] = [];
  const mine = { name: '欧阳晓雯', phone: '13698761234', text: '我家楼下的下水道总是反味，夏天尤其严重，麻烦派人看看', building: '7号楼3单元', comment: '师傅很负责，谢谢欧阳阿姨的邻居们' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-logs-'));
    db = openDb({ file: dbFile(dataDir) });
    const logger = createLogger({ level: 'trace', destination: { write: (l: string) => { lines.push(l); } } });
    const config = testConfig({ dataDir, logLevel: 'trace' });
    const app = createApp({ config, db, logger });
    t = { app, db, config };
    await runDemo(app.ctx, () => undefined);
    await residentFlows();
    await staffFlows();
  }, 180_000);

  afterAll(async () => {
    await t.app.ctx.stopAll();
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function residentFlows() {
    const qr = db.prepare("SELECT q.token FROM qr_codes q JOIN campaigns c ON c.id = q.campaign_id WHERE c.status = 'open' LIMIT 1").pluck().get() as string;
    const agent = request.agent(t.app);
    const page = await agent.get(`/q/${qr}`).expect(200);
    const fields = hiddenFields(page.text);
    formTokens.push(fields.ft);
    // A mistake first (a phone with too few digits), then the real thing.
    await agent.post(`/q/${qr}`).type('form').send({ ...fields, kind: 'suggestion', text: mine.text, name: mine.name, phone: '1369876', building: mine.building }).expect(400);
    const sent = await agent.post(`/q/${qr}`).type('form').send({ ...fields, kind: 'suggestion', text: mine.text, name: mine.name, phone: mine.phone, building: mine.building }).expect(303);
    const receipt = /\/r\/([A-Z0-9]+)/.exec(sent.headers.location)![1];
    await agent.get(`/r/${receipt}?new=1`).expect(200);
    await agent.get(`/r?code=${receipt.slice(0, 4)}-${receipt.slice(4)}`).expect(303);
    await agent.get('/r/ZZZZ2222').expect(404);
    await agent.get(`/q/${qr}x`).expect(404);
    // No route answers this one: its raw path (with a phone in it) must not stand in for the pattern.
    await agent.get(`/search/${mine.phone}/${encodeURIComponent(mine.name)}`).expect(404);
    // A rating with words, on a resolved issue's receipt.
    // From another phone than the one that submitted, so with the last four digits of the phone on file.
    const ratedRow = db.prepare(`SELECT s.receipt_code AS code, s.resident_phone AS phone FROM submissions s JOIN issues i ON i.id = s.issue_id
      LEFT JOIN feedback f ON f.submission_id = s.id WHERE i.status = 'resolved' AND f.id IS NULL AND s.resident_phone IS NOT NULL LIMIT 1`)
      .get() as { code: string; phone: string } | undefined;
    expect(ratedRow).toBeDefined();
    const rated = ratedRow!.code;
    const receiptPage = await agent.get(`/r/${rated}`).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(receiptPage.text)![1];
    await agent.post(`/r/${rated}/feedback`).type('form')
      .send({ _csrf: csrf, rating: 'satisfied', comment: mine.comment, phoneLast4: ratedRow!.phone.slice(-4) }).expect(303);
    // A write that fails (the disk is full): logged with its stack, and still nothing personal.
    const page2 = await agent.get(`/q/${qr}`).expect(200);
    const f2 = hiddenFields(page2.text);
    formTokens.push(f2.ft);
    const letWrite = failWrites(db, Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    try {
      await agent.post(`/q/${qr}`).type('form').send({ ...f2, kind: 'wish', text: mine.text + '（第二次）', name: mine.name, phone: mine.phone }).expect(503);
    } finally {
      letWrite();
    }
  }

  async function staffFlows() {
    // A failed login names a user, not a resident; it is logged as a request line only.
    const login = await request(t.app).get('/login');
    await request(t.app).post('/login').set('Cookie', login.headers['set-cookie'] ?? []).type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(login.text)![1], username: 'nobody', password: 'wrong-password-1' });

    const ids = {
      campaign: db.prepare('SELECT id FROM campaigns ORDER BY id LIMIT 1').pluck().get(),
      submission: db.prepare('SELECT id FROM submissions WHERE resident_phone IS NOT NULL ORDER BY id LIMIT 1').pluck().get(),
      issue: db.prepare('SELECT id FROM issues ORDER BY id LIMIT 1').pluck().get(),
      place: db.prepare("SELECT id FROM places WHERE kind = 'community' ORDER BY id LIMIT 1").pluck().get(),
      subdistrict: db.prepare("SELECT id FROM places WHERE kind = 'subdistrict' LIMIT 1").pluck().get(),
      user: db.prepare('SELECT id FROM users ORDER BY id LIMIT 1').pluck().get(),
      qr: db.prepare('SELECT id FROM qr_codes ORDER BY id LIMIT 1').pluck().get(),
      item: db.prepare('SELECT id FROM service_items ORDER BY id LIMIT 1').pluck().get(),
      photo: db.prepare('SELECT photo_file FROM submissions WHERE photo_file IS NOT NULL LIMIT 1').pluck().get() ?? 'x.jpg',
      token: db.prepare('SELECT token FROM qr_codes LIMIT 1').pluck().get(),
      code: db.prepare('SELECT receipt_code FROM submissions LIMIT 1').pluck().get(),
    } as Record<string, unknown>;
    const idFor = (pattern: string) => String(
      pattern.startsWith('/campaigns/') ? ids.campaign : pattern.startsWith('/submissions/') ? ids.submission
        : pattern.startsWith('/issues/') ? ids.issue : pattern.startsWith('/places/') ? ids.place
          : pattern.startsWith('/subdistricts/') ? ids.subdistrict : pattern.startsWith('/admin/users/') ? ids.user
            : pattern.startsWith('/qr/') ? ids.qr : pattern.startsWith('/menu/items/') ? ids.item : 1,
    );
    const gets = routeTable(t.app).filter((r) => r.method === 'GET');
    for (const role of ['admin', 'staff'] as const) {
      const agent = await loginAs(t, role, role === 'staff' ? { scopePlaceId: ids.place as number, canSeePersonalData: false } : {});
      for (const r of gets) {
        const url = concretePath(r.path, { id: idFor(r.path), token: String(ids.token), code: String(ids.code), name: String(ids.photo) });
        const res = await agent.get(url);
        expect([url, res.status < 500]).toEqual([url, true]);
      }
    }
  }

  const log = () => lines.join('');

  it('has one line per request: method, route pattern, status, latency and request id', () => {
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'request');
    expect(requests.length).toBeGreaterThan(100);
    for (const e of requests) {
      expect(e).toEqual(expect.objectContaining({ method: expect.any(String), route: expect.any(String), status: expect.any(Number), ms: expect.any(Number), reqId: expect.any(String) }));
      expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['level', 'time', 'pid', 'msg']));
    }
    const routes = new Set(requests.map((e) => e.route));
    for (const r of ['/q/:token', '/r/:code', '/r/:code/feedback', '/campaigns/:id/submissions.csv', '/submissions/:id', '(no route)']) expect(routes).toContain(r);
  });

  it('logs the failed write as an error with its stack, tied to its request', () => {
    const failure = lines.map((l) => JSON.parse(l) as { msg: string; err?: { stack?: string; code?: string }; reqId?: string })
      .find((e) => e.msg === 'submission not stored');
    expect(failure?.err?.stack).toMatch(/database or disk is full\n\s+at /);
    expect(failure?.err?.code).toBe('SQLITE_FULL');
    expect(failure?.reqId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('holds no resident name, phone, text or receipt code, and no QR token, form token or session', () => {
    const text = log();
    const rows = db.prepare('SELECT resident_name, resident_phone, receipt_code, text, building FROM submissions').all() as
      Array<{ resident_name: string | null; resident_phone: string | null; receipt_code: string; text: string; building: string | null }>;
    const names = [...new Set(rows.map((r) => r.resident_name).filter((n): n is string => !!n))];
    const phones = [...new Set(rows.map((r) => r.resident_phone).filter((p): p is string => !!p))];
    expect(names.length).toBeGreaterThan(10); // the demo's residents really are in this run
    expect(phones.length).toBeGreaterThan(10);
    expect(names).toContain(mine.name);
    const leaks: string[] = [];
    const check = (what: string, values: Iterable<string>) => { for (const v of values) if (v && text.includes(v)) leaks.push(`${what}: ${v}`); };
    check('name', names);
    check('phone', phones);
    check('phone, last 8 digits', phones.map((p) => p.replace(/\D/g, '').slice(-8)));
    check('receipt code', rows.map((r) => r.receipt_code));
    check('resident text', rows.map((r) => r.text.slice(0, 12)));
    check('building', rows.map((r) => r.building).filter((b): b is string => !!b && b.length >= 4));
    check('typed by the resident', [mine.phone, mine.text.slice(0, 10), mine.comment.slice(0, 8), '1369876']);
    check('QR token', db.prepare('SELECT token FROM qr_codes').pluck().all() as string[]);
    check('form token', formTokens);
    check('session cookie or password', [`${SESSION_COOKIE}=`, 'wrong-password-1', TEST_PASSWORD]);
    expect(leaks).toEqual([]);
  });
});
