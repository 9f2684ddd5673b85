import type { Db } from '../../src/db/open-db';
import { categoryId, insertCampaign, insertSubmission, placeWriter } from './factories';
import { makeTestApp, type TestApp } from './app';

let seq = 0;

export { insertSubmission } from './factories';

export function insertIssue(db: Db, i: { campaignId: number; title: string; communityId?: number | null; categoryId?: number | null; status?: string; priority?: 1 | 2 | 3 }): number {
  return Number(db.prepare(`INSERT INTO issues (campaign_id, title, category_id, community_id, status, priority, resolved_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(i.campaignId, i.title, i.categoryId ?? null, i.communityId ?? null, i.status ?? 'new',
    i.priority ?? 2, i.status === 'resolved' ? '2026-03-10T02:00:00.000Z' : null).lastInsertRowid);
}

/** Publishes an issue on its community's menu and records a claim on it. */
export function insertClaim(db: Db, issueId: number, communityId: number, claimerUserId: number, status = 'claimed'): number {
  const item = db.prepare('SELECT id FROM service_items WHERE issue_id = ?').pluck().get(issueId) as number | undefined
    ?? Number(db.prepare("INSERT INTO service_items (community_id, issue_id, title, published_at) VALUES (?, ?, '菜单事项', '2026-03-05T00:00:00Z')")
      .run(communityId, issueId).lastInsertRowid);
  return Number(db.prepare('INSERT INTO claims (service_item_id, claimer_user_id, status) VALUES (?, ?, ?)').run(item, claimerUserId, status).lastInsertRowid);
}

export function insertFeedback(db: Db, submissionId: number, issueId: number | null, rating: 'satisfied' | 'basically' | 'unsatisfied'): void {
  db.prepare('INSERT INTO feedback (submission_id, issue_id, rating) VALUES (?, ?, ?)').run(submissionId, issueId, rating);
}

export { categoryId as categoryIdOf } from './factories';

/**
 * A small campaign whose figures are known by hand (see the expectations in test/dashboard/*.test.ts):
 * 建中街街道 → 永安社区 (grid, compound) and 庆丰社区 (grid); 淮河路街道 → 幸福社区 elsewhere.
 *   10 submissions: 7 online, 3 offline, 2 wishes; 永安 5, 庆丰 4, no community 1.
 *   QR codes: 永安 40 scans / 4 submissions, 庆丰 grid 10 / 2, 庆丰 0 / 0, unplaced 5 / 1.
 *   4 issues (永安: resolved + in progress, both claimed; 庆丰: new, declined); ratings 满意, 基本满意 (永安), 不满意 (庆丰).
 */
export function seedDashboard(db: Db) {
  const places = placeWriter(db);
  const district = places.create('district', null, '二七区');
  const subdistrict = places.create('subdistrict', district, '建中街街道');
  const yongan = places.create('community', subdistrict, '永安社区');
  const qingfeng = places.create('community', subdistrict, '庆丰社区');
  const yonganGrid = places.create('grid', yongan, '第一网格');
  const qingfengGrid = places.create('grid', qingfeng, '第二网格');
  const compound = places.create('compound', yongan, '铁路家属院');
  const otherSub = places.create('subdistrict', district, '淮河路街道');
  const xingfu = places.create('community', otherSub, '幸福社区');
  const cat = (n: string) => categoryId(db, n);
  const campaignId = insertCampaign(db, {
    subdistrictId: subdistrict, title: '春季民生征求意见', description: '', startsOn: '2026-03-01', endsOn: '2026-03-31',
    askPhoto: true, askContact: true, communityIds: [yongan, qingfeng],
    categoryIds: db.prepare('SELECT id FROM categories').pluck().all() as number[],
  });
  const qr = (label: string, placeId: number | null, scans: number) => Number(db.prepare(
    'INSERT INTO qr_codes (campaign_id, token, label, place_id, scan_count) VALUES (?, ?, ?, ?, ?)',
  ).run(campaignId, `tok${++seq}x${process.pid}`, label, placeId, scans).lastInsertRowid);
  const qrYongan = qr('永安社区 3号楼公告栏', yongan, 40);
  const qrQingfengGrid = qr('庆丰第二网格 门岗', qingfengGrid, 10);
  const qrQingfeng = qr('庆丰社区 活动室', qingfeng, 0);
  const qrOffice = qr('街道办 大厅', null, 5);

  const issueA1 = insertIssue(db, { campaignId, title: '3号楼楼道灯不亮', communityId: yongan, categoryId: cat('设施维修'), status: 'resolved', priority: 3 });
  const issueA2 = insertIssue(db, { campaignId, title: '垃圾清运不及时', communityId: yongan, categoryId: cat('环境卫生'), status: 'in_progress' });
  const issueB1 = insertIssue(db, { campaignId, title: '门口乱停车', communityId: qingfeng, categoryId: cat('停车交通'), status: 'new' });
  const issueB2 = insertIssue(db, { campaignId, title: '要求建游泳池', communityId: qingfeng, status: 'declined' });

  const on = (day: string, hourUtc = 2) => `${day}T${String(hourUtc).padStart(2, '0')}:00:00.000Z`;
  const base = { campaignId };
  const s = {
    a1: insertSubmission(db, { ...base, communityId: yongan, gridId: yonganGrid, qrCodeId: qrYongan, categoryId: cat('环境卫生'), createdAt: on('2026-03-02'), issueId: issueA2,
      residentName: '王秀兰', residentPhone: '13812345678', text: '垃圾桶满了没人清' }),
    a2: insertSubmission(db, { ...base, communityId: yongan, gridId: yonganGrid, qrCodeId: qrYongan, categoryId: cat('环境卫生'), createdAt: on('2026-03-02'), issueId: issueA2 }),
    a3: insertSubmission(db, { ...base, communityId: yongan, compoundId: compound, qrCodeId: qrYongan, categoryId: cat('环境卫生'), createdAt: on('2026-03-02') }),
    // 20:00 UTC on the 3rd is 04:00 on the 4th in China.
    a4: insertSubmission(db, { ...base, communityId: yongan, gridId: yonganGrid, qrCodeId: qrYongan, categoryId: cat('设施维修'), createdAt: on('2026-03-03', 20), issueId: issueA1 }),
    a5: insertSubmission(db, { ...base, communityId: yongan, gridId: yonganGrid, kind: 'wish', channel: 'door_to_door', categoryId: cat('养老服务'),
      createdAt: on('2026-03-04'), collectedOn: '2026-03-01', issueId: issueA1 }),
    b1: insertSubmission(db, { ...base, communityId: qingfeng, gridId: qingfengGrid, qrCodeId: qrQingfengGrid, categoryId: cat('停车交通'), createdAt: on('2026-03-09'), issueId: issueB1,
      residentName: '李强', residentPhone: '13987654321' }),
    b2: insertSubmission(db, { ...base, communityId: qingfeng, gridId: qingfengGrid, qrCodeId: qrQingfengGrid, categoryId: cat('停车交通'), createdAt: on('2026-03-09') }),
    b3: insertSubmission(db, { ...base, communityId: qingfeng, gridId: qingfengGrid, channel: 'meeting', createdAt: on('2026-03-10'), issueId: issueB2 }),
    b4: insertSubmission(db, { ...base, communityId: qingfeng, kind: 'wish', channel: 'hotline', categoryId: cat('养老服务'), createdAt: on('2026-03-10') }),
    x1: insertSubmission(db, { ...base, qrCodeId: qrOffice, categoryId: cat('其他'), createdAt: on('2026-03-10') }),
  };
  // Claimers who never log in here: no password hash needed (and none of the KDF's cost).
  const claimer = (name: string, kind: 'member' | 'unit') => ({ id: Number(db.prepare(`INSERT INTO users (username, display_name, password_hash, role, claimer_kind)
    VALUES (?, ?, 'x', 'claimer', ?)`).run(`${name}${++seq}`, name, kind).lastInsertRowid) });
  const member = claimer('member', 'member');
  const unit = claimer('unit', 'unit');
  const withdrawn = claimer('gone', 'member');
  insertClaim(db, issueA1, yongan, member.id, 'done');
  insertClaim(db, issueA2, yongan, unit.id, 'in_progress');
  insertClaim(db, issueA2, yongan, withdrawn.id, 'withdrawn');
  insertFeedback(db, s.a4, issueA1, 'satisfied');
  insertFeedback(db, s.a5, issueA1, 'basically');
  insertFeedback(db, s.b1, issueB1, 'unsatisfied');
  return {
    campaignId, district, subdistrict, yongan, qingfeng, yonganGrid, qingfengGrid, compound, otherSub, xingfu,
    qr: { yongan: qrYongan, qingfengGrid: qrQingfengGrid, qingfeng: qrQingfeng, office: qrOffice },
    issues: { a1: issueA1, a2: issueA2, b1: issueB1, b2: issueB2 }, s,
  };
}
export type DashboardSeed = ReturnType<typeof seedDashboard>;

/**
 * For a describe block: a fresh test app seeded with seedDashboard before its tests, closed after them. `use`
 * receives both (assign them to the block's own variables).
 */
export function useDashboardFixture(use: (made: { t: TestApp; seed: DashboardSeed }) => void): void {
  let t: TestApp | undefined;
  beforeAll(() => {
    t = makeTestApp();
    use({ t, seed: seedDashboard(t.db) });
  });
  afterAll(() => t?.db.close());
}
