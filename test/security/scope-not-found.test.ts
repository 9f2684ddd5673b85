import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loginAs, makeTestApp, viewerOf, type Agent, type TestApp } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { issueServices, makeSubmission } from '../helpers/issues-factories';
import { routeTable } from '../helpers/route-table';

// Logins (scrypt), page crawls and image encoding: slow on a loaded 2-core machine.
jest.setTimeout(180_000);

/**
 * Out of scope answers exactly like missing, on every route that takes an id (in the path or in the form): a user
 * of community A who tries the id of a community-B record learns nothing that a made-up id would not tell.
 */
const MISSING = { num: '987654', photo: 'abcdefabcdefabcdefabcdef.jpg', batch: 'b'.repeat(32) };

/** The page without what differs by request only: tokens, the id itself, request ids. */
function shape(text: string, ids: string[]): string {
  let s = text.replace(/name="_csrf" value="[^"]*"/g, '').replace(/_csrf=[\w-]+/g, '');
  for (const id of ids) s = s.split(id).join('<ID>');
  return s.replace(/请求编号[^<]*/g, '').replace(/"reqId":"[^"]*"/g, '');
}

describe('out of scope is the same as missing', () => {
  let t: TestApp;
  let a: MadeCampaign;
  let b: MadeCampaign;
  let bIds: Record<string, string>;
  let issueA: number;
  let subB: number;
  let issueB: number;
  let staffA: Agent;
  let claimerA: Agent;
  let gridA: Agent;

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-scope-'));
    t = makeTestApp({ dataDir });
    a = makeCampaign(t.db, { community: '永安社区', title: 'A 的活动' });
    b = makeCampaign(t.db, { community: '建华社区', title: 'B 的活动' });
    const staffB = await loginAs(t, 'staff', { scopePlaceId: b.communityId });
    staffA = await loginAs(t, 'staff', { scopePlaceId: a.communityId });
    claimerA = await loginAs(t, 'claimer', { scopePlaceId: a.communityId, claimerKind: 'member' });
    gridA = await loginAs(t, 'grid_worker', { gridIds: [a.gridId] });
    const { issueService } = issueServices(t.db);
    const mk = async (c: MadeCampaign, agent: Agent) => {
      const user = await viewerOf(t, agent.userId);
      const subs = [makeSubmission(t.db, c).id, makeSubmission(t.db, c).id];
      const id = await issueService.create(user, c.campaignId, subs, { title: '电梯坏了', categoryId: null, priority: 2 });
      await issueService.changeStatus(user, id, 'accepted', null);
      return { id, subs };
    };
    const ia = await mk(a, staffA);
    const ib = await mk(b, staffB);
    issueA = ia.id;
    issueB = ib.id;
    subB = makeSubmission(t.db, b).id;
    await staffB.post(`/issues/${ib.id}/publish`).type('form').send({ _csrf: staffB.csrf, title: '修电梯', description: '' }).expect(303);
    const itemB = t.db.prepare('SELECT id FROM service_items WHERE issue_id = ?').pluck().get(ib.id) as number;
    const photoB = 'cdefcdefcdefcdefcdefcdef.png';
    fs.mkdirSync(path.join(dataDir, 'uploads'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'uploads', photoB), 'x');
    t.db.prepare('UPDATE submissions SET photo_file = ? WHERE id = ?').run(photoB, subB);
    const claimerB = await loginAs(t, 'claimer', { scopePlaceId: b.communityId });
    await claimerB.post(`/menu/items/${itemB}/claim`).type('form').send({ _csrf: claimerB.csrf }).expect(303);
    const claimB = t.db.prepare('SELECT id FROM claims WHERE service_item_id = ?').pluck().get(itemB) as number;
    const notePhotoB = 'dadadadadadadadadadadada.png';
    fs.writeFileSync(path.join(dataDir, 'uploads', notePhotoB), 'x');
    t.db.prepare('INSERT INTO claim_notes (claim_id, user_id, text, photo_file) VALUES (?, ?, ?, ?)').run(claimB, claimerB.userId, '到了', notePhotoB);
    const meetingB = Number(t.db.prepare(`INSERT INTO meetings (campaign_id, idempotency_key, held_on, community_id, topic, entered_by)
      VALUES (?, 'mtg-b', '2026-01-01', ?, '恳谈会', ?)`).run(b.campaignId, b.communityId, staffB.userId).lastInsertRowid);
    const batchB = 'a'.repeat(32);
    t.db.prepare("INSERT INTO import_batches (id, user_id, campaign_id, channel, file_name, parsed) VALUES (?, ?, ?, 'door_to_door', 'b.xlsx', '[]')")
      .run(batchB, staffB.userId, b.campaignId);
    bIds = {
      '/campaigns/:id': String(b.campaignId), '/issues/:id': String(ib.id), '/submissions/:id': String(subB),
      '/menu/items/:id': String(itemB), '/qr/:id': String(b.qrCodeId), '/places/:id': String(b.communityId),
      '/intake/meetings/:id': String(meetingB), '/intake/import/:id': batchB, '/uploads/:name': photoB, '/menu/photos/:name': notePhotoB,
    };
  });

  /** The B id and a missing id for a route, or null when the route is not about a scoped record. */
  function idsFor(pattern: string): { b: string; missing: string } | null {
    for (const [prefix, id] of Object.entries(bIds)) {
      if (pattern === prefix || pattern.startsWith(prefix + '/') || pattern.startsWith(prefix + '.')) {
        const missing = prefix.endsWith(':name') ? MISSING.photo : prefix === '/intake/import/:id' ? MISSING.batch : MISSING.num;
        return { b: id, missing };
      }
    }
    return null;
  }

  const body = (agent: Agent, extra: Record<string, string> = {}) => ({
    _csrf: agent.csrf, text: '进展', title: '标题', reply: '回复', to: 'accepted', reason: '原因', description: '',
    label: '标签', name: '名称', submissionIds: String(subB), sourceId: '1', submissionId: '1', ...extra,
  });

  async function compare(agent: Agent, method: string, pattern: string, ids: { b: string; missing: string }, form: Record<string, string> = {}) {
    const ask = (id: string) => {
      const url = pattern.replace(/:(id|name)/, id);
      return method === 'GET' ? agent.get(url).redirects(0) : agent.post(url).type('form').send(body(agent, form)).redirects(0);
    };
    const rb = await ask(ids.b);
    const rm = await ask(ids.missing);
    return {
      route: `${method} ${pattern}${Object.keys(form).length ? ' ' + JSON.stringify(form) : ''}`,
      b: [rb.status, shape(rb.text ?? '', [ids.b, ids.missing])],
      missing: [rm.status, shape(rm.text ?? '', [ids.b, ids.missing])],
    };
  }

  it('for every route with an id in its path, as staff, claimer and grid worker of community A', async () => {
    const routes = routeTable(t.app).filter((r) => r.method === 'GET' || r.method === 'POST');
    const differ: string[] = [];
    let checked = 0;
    for (const agent of [staffA, claimerA, gridA]) {
      for (const r of routes) {
        const ids = idsFor(r.path);
        if (!ids) continue;
        const c = await compare(agent, r.method, r.path, ids);
        checked++;
        if (c.b[0] !== c.missing[0] || c.b[1] !== c.missing[1]) differ.push(`${c.route}: ${c.b[0]} vs ${c.missing[0]}`);
        // Never a success for another community's record.
        if ((c.b[0] as number) < 300) differ.push(`${c.route}: ${c.b[0]} for a community-B record`);
      }
    }
    expect(checked).toBeGreaterThan(60);
    expect(differ).toEqual([]);
  });

  it('for ids in the form: attach, detach and merge with another community\'s submission or issue', async () => {
    const differ: string[] = [];
    const cases: Array<[string, string, { b: string; missing: string }]> = [
      ['/issues/:id/detach', 'submissionId', { b: String(subB), missing: MISSING.num }],
      ['/issues/:id/attach', 'submissionIds', { b: String(subB), missing: MISSING.num }],
      ['/issues/:id/merge', 'sourceId', { b: String(issueB), missing: MISSING.num }],
    ];
    for (const [pattern, field, ids] of cases) {
      const url = pattern.replace(':id', String(issueA));
      const ask = (id: string) => staffA.post(url).type('form').send(body(staffA, { [field]: id, to: 'new' })).redirects(0);
      const rb = await ask(ids.b);
      const rm = await ask(ids.missing);
      if (rb.status !== rm.status || shape(rb.text, [ids.b, ids.missing]) !== shape(rm.text, [ids.b, ids.missing])) {
        differ.push(`POST ${pattern} ${field}: ${rb.status} vs ${rm.status}`);
      }
    }
    for (const ids of [{ b: String(subB), missing: MISSING.num }]) {
      const ask = (id: string) => staffA.post(`/campaigns/${a.campaignId}/issues`).type('form')
        .send({ _csrf: staffA.csrf, submissionIds: id, title: '新问题' }).redirects(0);
      const rb = await ask(ids.b);
      const rm = await ask(ids.missing);
      if (rb.status !== rm.status || shape(rb.text, [ids.b, ids.missing]) !== shape(rm.text, [ids.b, ids.missing])) {
        differ.push(`POST /campaigns/:id/issues submissionIds: ${rb.status} vs ${rm.status}`);
      }
    }
    expect(differ).toEqual([]);
  });
});
