import ExcelJS from 'exceljs';
import request from 'supertest';
import { binaryBody, loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { hiddenFields } from '../helpers/resident-client';
import { concretePath, routeTable } from '../helpers/route-table';
import { chinaToday } from '../../src/campaigns/rules';
import { TEMPLATE_HEADERS } from '../../src/intake/import/columns';

// Logins (scrypt), page crawls and image encoding: slow on a loaded 2-core machine.
jest.setTimeout(180_000);

/**
 * Every free-text field staff, grid workers, claimers or residents fill in gets a phone number of its own, through
 * the real forms and an import; then a reader who may not see personal data crawls every page and both exports,
 * and none of those numbers may appear in full.
 */
const PHONES = {
  residentText: '13903710001', residentBuilding: '13903710002', residentName: '13903710003', residentPhone: '13903710004',
  entryText: '13903710005', entryBuilding: '13903710006', entryName: '13903710007',
  meetingTopic: '13903710008', meetingLocation: '13903710009', meetingOpinion: '13903710010',
  importText: '13903710011', importBuilding: '13903710012', importVisitor: '13903710013', importNote: '13903710014', importName: '13903710015',
  issueReply: '13903710016', declineReason: '13903710017', submissionReply: '13903710018',
  menuTitle: '13903710019', menuDescription: '13903710020', claimerNote: '13903710021', claimerName: '13903710022', issueTitle: '13903710023',
};
const spaced = (p: string) => `${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`;

function leaks(where: string, text: string): string[] {
  const flat = text.replace(/[\s-]/g, '');
  return Object.entries(PHONES).filter(([, p]) => flat.includes(p)).map(([field]) => `${where}: ${field}`);
}

async function xlsxText(buf: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => { out.push(String(cell.text)); })));
  return out.join('\n');
}

describe('phone numbers in every free-text field are masked for readers without personal data', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let staff: Agent;
  let admin: Agent;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db);
    admin = await loginAs(t, 'admin');
    staff = await loginAs(t, 'staff', { scopePlaceId: c.subdistrictId, canSeePersonalData: false });

    // 1. The resident form.
    const ft = hiddenFields((await request(t.app).get(`/q/${c.qrToken}`)).text).ft;
    await request(t.app).post(`/q/${c.qrToken}`).type('form').send({
      ft, kind: 'suggestion', text: `路灯坏了，请打 ${spaced(PHONES.residentText)}`, building: `3号楼 ${PHONES.residentBuilding}`,
      name: `王 ${PHONES.residentName}`, phone: PHONES.residentPhone,
    }).expect(303);

    // 2. Quick entry by staff.
    const entry = await staff.post('/intake/api/entries').set('X-CSRF-Token', staff.csrf).set('Accept', 'application/json').type('form').send({
      campaignId: c.campaignId, idempotencyKey: 'mask-entry-0123456789', channel: 'door_to_door', collectedOn: chinaToday(),
      communityId: c.communityId, gridId: c.gridId, building: `5栋 ${PHONES.entryBuilding}`, residentName: `李 ${PHONES.entryName}`,
      text: `楼道灯不亮 ${PHONES.entryText}`, _sync: '1',
    });
    expect(entry.status).toBe(201);

    // 3. A residents' meeting (multipart form).
    const meeting = await staff.post(`/intake/meetings?_csrf=${staff.csrf}`)
      .field('campaignId', String(c.campaignId)).field('heldOn', chinaToday()).field('communityId', String(c.communityId))
      .field('location', `党群中心 ${PHONES.meetingLocation}`).field('attendance', '12').field('topic', `恳谈会 ${PHONES.meetingTopic}`)
      .field('idempotencyKey', 'mask-meeting-0123456789').field('rows', '1').field('kind_1', 'suggestion').field('text_1', `加装电梯 ${PHONES.meetingOpinion}`);
    expect(meeting.status).toBe(303);
    ids.meeting = String(t.db.prepare('SELECT id FROM meetings').pluck().get());

    // 4. A spreadsheet import (CSV) with every column filled.
    const header = TEMPLATE_HEADERS.map((h) => h[1]).join(',');
    const row = ['1', chinaToday(), '永安社区', '第一网格', '永安里小区', `2号楼 ${PHONES.importBuilding}`, `赵 ${PHONES.importName}`, '13803710099',
      '', `下水道堵了 ${PHONES.importText}`, '否', `走访人 ${PHONES.importVisitor}`, `女儿电话 ${PHONES.importNote}`].join(',');
    const up = await staff.post(`/intake/import?_csrf=${encodeURIComponent(staff.csrf)}`).field('campaignId', String(c.campaignId))
      .field('channel', 'door_to_door').attach('file', Buffer.from('\ufeff' + header + '\r\n' + row + '\r\n'), 'visits.csv');
    expect(up.status).toBe(303);
    ids.batch = up.headers.location.split('/').pop()!;
    expect(leaks('import preview', (await staff.get(up.headers.location)).text)).toEqual([]);
    await staff.post(up.headers.location).type('form').send({ _csrf: staff.csrf }).expect(303);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(4);

    // 5. Issues: a title, a reply to residents, a decline reason; a reply on a submission.
    const subs = t.db.prepare('SELECT id FROM submissions ORDER BY id').pluck().all() as number[];
    ids.submission = String(subs[0]);
    await staff.post(`/campaigns/${c.campaignId}/issues`).type('form')
      .send({ _csrf: staff.csrf, submissionIds: [String(subs[0]), String(subs[1])], title: `路灯 ${PHONES.issueTitle}` }).expect(303);
    const issueId = t.db.prepare('SELECT id FROM issues').pluck().get() as number;
    ids.issue = String(issueId);
    await staff.post(`/issues/${issueId}/reply`).type('form').send({ _csrf: staff.csrf, reply: `已联系物业 ${PHONES.issueReply}` }).expect(303);
    await staff.post(`/issues/${issueId}/status`).type('form').send({ _csrf: staff.csrf, to: 'accepted' }).expect(303);
    await staff.post(`/campaigns/${c.campaignId}/issues`).type('form')
      .send({ _csrf: staff.csrf, submissionIds: String(subs[2]), title: '下水道' }).expect(303);
    const second = t.db.prepare('SELECT MAX(id) FROM issues').pluck().get() as number;
    await staff.post(`/issues/${second}/status`).type('form').send({ _csrf: staff.csrf, to: 'declined', reason: `物业负责 ${PHONES.declineReason}` }).expect(303);
    await staff.post(`/submissions/${subs[3]}/reply`).type('form').send({ _csrf: staff.csrf, reply: `请致电 ${PHONES.submissionReply}` });

    // 6. The service menu: an item by staff, a claimer (named by the admin) with a note.
    await staff.post(`/issues/${issueId}/publish`).type('form')
      .send({ _csrf: staff.csrf, title: `修路灯 ${PHONES.menuTitle}`, description: `联系 ${PHONES.menuDescription}` }).expect(303);
    ids.item = String(t.db.prepare('SELECT id FROM service_items').pluck().get());
    await admin.post('/admin/users').type('form').send({
      _csrf: admin.csrf, username: 'dangyuan1', displayName: `党员李 ${PHONES.claimerName}`, role: 'claimer', claimerKind: 'member',
      scopePlaceId: String(c.communityId), password: 'ginkgo-river-17',
    }).expect(303);
    const claimer = request.agent(t.app);
    const token = hiddenFields((await claimer.get('/login')).text)._csrf;
    await claimer.post('/login').type('form').send({ _csrf: token, username: 'dangyuan1', password: 'ginkgo-river-17' }).expect(303);
    const claimerCsrf = t.db.prepare("SELECT csrf_token FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'dangyuan1'").pluck().get() as string;
    await claimer.post(`/menu/items/${ids.item}/claim`).type('form').send({ _csrf: claimerCsrf }).expect(303);
    await claimer.post(`/menu/items/${ids.item}/notes?_csrf=${claimerCsrf}`).field('text', `已到现场 ${PHONES.claimerNote}`).expect(303);

    // Everything was stored as written: a reader with personal data sees the numbers.
    const full = (await admin.get(`/issues/${issueId}`)).text + (await admin.get(`/submissions/${ids.submission}`)).text;
    expect(leaks('admin', full).length).toBeGreaterThan(3);
  });

  it('on every page and in both exports (CSV and xlsx), for masked staff, grid workers and claimers', async () => {
    const gridWorker = await loginAs(t, 'grid_worker', { gridIds: [c.gridId] });
    const claimer = await loginAs(t, 'claimer', { scopePlaceId: c.communityId });
    const found: string[] = [];
    let pages = 0;
    const idFor = (p: string) => (p.startsWith('/issues') ? ids.issue : p.startsWith('/submissions') ? ids.submission
      : p.startsWith('/menu/items') ? ids.item : p.startsWith('/intake/meetings') ? ids.meeting : p.startsWith('/intake/import') ? ids.batch
      : p.startsWith('/qr') ? String(c.qrCodeId) : p.startsWith('/places') ? String(c.communityId)
      : p.startsWith('/subdistricts') ? String(c.subdistrictId) : String(c.campaignId));
    const extra = ['/search?q=路灯', '/search?q=13903710001', `/campaigns/${c.campaignId}/submissions?q=路灯`, '/intake/entries?mine=0',
      `/campaigns/${c.campaignId}/issues?status=declined`, '/menu/mine', '/menu/manage'];
    for (const agent of [staff, gridWorker, claimer]) {
      const urls = routeTable(t.app).filter((r) => r.method === 'GET' && !r.path.startsWith('/q/') && !r.path.startsWith('/r'))
        .map((r) => concretePath(r.path, { id: idFor(r.path), token: c.qrToken }));
      for (const url of [...urls, ...extra]) {
        const res = await agent.get(url).redirects(0).buffer(true).parse(binaryBody);
        const body = res.body as Buffer;
        const text = url.endsWith('.xlsx') && res.status === 200 ? await xlsxText(body) : body.toString('utf8');
        if (res.status === 200) pages++;
        found.push(...leaks(`${url} (${agent === staff ? 'staff' : agent === gridWorker ? 'grid worker' : 'claimer'})`, text));
      }
    }
    expect(pages).toBeGreaterThan(60);
    expect(found).toEqual([]);
  });
});
