/**
 * A small data set written with plain SQL through `exec` (test/helpers/engines.ts), so the same rows exist on
 * SQLite and on PostgreSQL; the repo tests that run on both engines expect the same numbers from it. Its figures,
 * worked out by hand:
 *   建中街街道 → 永安社区 (with 第一网格) and 庆丰社区. Campaign 春季 (from 2026-03-01, board shown) and 冬季 (board off).
 *   Submissions of 春季: s1, s5 (永安, online, 2026-03-02 China time, 环境卫生 — different ids, so different shards
 *   of the PostgreSQL counts), s2 (永安, online wish, 20:00 UTC on the 3rd = 2026-03-04, 设施维修), s3 (庆丰, door to
 *   door, collected 2026-03-01, 环境卫生), s4 (no community, online, 2026-03-02, uncategorized).
 *   QR codes: 永安 40 scans / 3 submissions (s1, s2, s5), 庆丰 0 / 0, the office's (no place) 5 / 1 (s4).
 *   Issues: 永安 电梯维修 (resolved, s5 behind it, claimed and done by a party member, rated 满意) and
 *   3号楼电梯经常坏 (accepted, s1 and s2 behind it, two supports, one claim withdrawn by a unit); 庆丰 门口乱停车 (new);
 *   冬季: 永安 健身器材坏了 (accepted, not on any board). One open appeal (s3).
 */
import type { EngineUnderTest } from './engines';

type Exec = EngineUnderTest['exec'];

const idOf = async (exec: Exec, sql: string, params: unknown[]) => Number((await exec(`${sql} RETURNING id`, params))[0].id);

export const FIXTURE_RECEIPT = 'K7M2P9QX';
export const FIXTURE_OWNER_KEY = 'key-of-the-owner';

export async function seedEngineFixture(exec: Exec) {
  const place = (kind: string, parent: number | null, name: string) =>
    idOf(exec, 'INSERT INTO places (kind, parent_id, name) VALUES (?, ?, ?)', [kind, parent, name]);
  const district = await place('district', null, '二七区');
  const subdistrict = await place('subdistrict', district, '建中街街道');
  const yongan = await place('community', subdistrict, '永安社区');
  const qingfeng = await place('community', subdistrict, '庆丰社区');
  const grid = await place('grid', yongan, '第一网格');
  const category = async (name: string) => Number((await exec('SELECT id FROM categories WHERE name = ?', [name]))[0].id);
  const cats = { environment: await category('环境卫生'), repairs: await category('设施维修') };

  const campaign = (title: string, startsOn: string, publicBoard: 0 | 1) => idOf(exec,
    "INSERT INTO campaigns (subdistrict_id, title, starts_on, ends_on, status, public_board) VALUES (?, ?, ?, '2026-12-31', 'open', ?)",
    [subdistrict, title, startsOn, publicBoard]);
  const spring = await campaign('春季民生征求意见', '2026-03-01', 1);
  const winter = await campaign('冬季走访', '2025-12-15', 0);
  for (const c of [yongan, qingfeng]) await exec('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)', [spring, c]);

  const qr = (label: string, placeId: number | null, scans: number) => idOf(exec,
    'INSERT INTO qr_codes (campaign_id, token, label, place_id, scan_count) VALUES (?, ?, ?, ?, ?)', [spring, `tok-${label}`, label, placeId, scans]);
  const qrs = { yongan: await qr('永安社区 公告栏', yongan, 40), qingfeng: await qr('庆丰社区 活动室', qingfeng, 0), office: await qr('街道办 大厅', null, 5) };

  const issue = (campaignId: number, title: string, communityId: number, status: string) => idOf(exec,
    'INSERT INTO issues (campaign_id, title, community_id, status, resolved_at) VALUES (?, ?, ?, ?, ?)',
    [campaignId, title, communityId, status, status === 'resolved' ? '2026-03-10T02:00:00.000Z' : null]);
  const issues = {
    lift: await issue(spring, '电梯维修', yongan, 'resolved'),
    liftAgain: await issue(spring, '3号楼电梯经常坏', yongan, 'accepted'),
    parking: await issue(spring, '门口乱停车', qingfeng, 'new'),
    winter: await issue(winter, '健身器材坏了', yongan, 'accepted'),
  };

  let n = 0;
  const submission = (s: {
    text: string; communityId: number | null; gridId?: number | null; qrCodeId: number | null; kind?: string; channel?: string;
    categoryId: number | null; createdAt: string; collectedOn?: string | null; issueId?: number | null; receipt?: string;
    residentKey?: string | null; phone?: string | null;
  }) => idOf(exec, `INSERT INTO submissions (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, category_id, text, community_id,
      grid_id, channel, collected_on, created_at, issue_id, resident_key, resident_phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    spring, s.qrCodeId, s.receipt ?? `R${++n}FIXTURE`, `fixture-${n}-${s.text}`, s.kind ?? 'suggestion', s.categoryId, s.text, s.communityId,
    s.gridId ?? null, s.channel ?? 'online', s.collectedOn ?? null, s.createdAt, s.issueId ?? null, s.residentKey ?? null, s.phone ?? null,
  ]);
  const s = {
    s1: await submission({ text: '3号楼电梯坏了，困过人', communityId: yongan, gridId: grid, qrCodeId: qrs.yongan, categoryId: cats.environment,
      createdAt: '2026-03-02T02:00:00.000Z', issueId: issues.liftAgain, receipt: FIXTURE_RECEIPT, residentKey: FIXTURE_OWNER_KEY, phone: '13812345678' }),
    s2: await submission({ text: '希望增加快递柜，电梯口太挤', communityId: yongan, qrCodeId: qrs.yongan, kind: 'wish', categoryId: cats.repairs,
      createdAt: '2026-03-03T20:00:00.000Z', issueId: issues.liftAgain }),
    s3: await submission({ text: '楼道灯不亮', communityId: qingfeng, qrCodeId: null, channel: 'door_to_door', categoryId: cats.environment,
      createdAt: '2026-03-05T02:00:00.000Z', collectedOn: '2026-03-01' }),
    s4: await submission({ text: '路灯坏了', communityId: null, qrCodeId: qrs.office, categoryId: null, createdAt: '2026-03-02T03:00:00.000Z' }),
    s5: await submission({ text: '垃圾没人清', communityId: yongan, qrCodeId: qrs.yongan, categoryId: cats.environment,
      createdAt: '2026-03-02T04:00:00.000Z', issueId: issues.lift }),
  };

  const user = (username: string, kind: 'member' | 'unit') => idOf(exec,
    "INSERT INTO users (username, display_name, password_hash, role, claimer_kind) VALUES (?, ?, 'x', 'claimer', ?)", [username, `名字${username}`, kind]);
  const member = await user('member1', 'member');
  const unit = await user('unit1', 'unit');
  const claim = async (issueId: number, claimer: number, status: string) => {
    const item = await idOf(exec, "INSERT INTO service_items (community_id, issue_id, title, published_at) VALUES (?, ?, '菜单事项', '2026-03-05T00:00:00Z')",
      [yongan, issueId]);
    await exec('INSERT INTO claims (service_item_id, claimer_user_id, status) VALUES (?, ?, ?)', [item, claimer, status]);
  };
  await claim(issues.lift, member, 'done');
  await claim(issues.liftAgain, unit, 'withdrawn');
  await exec("INSERT INTO feedback (submission_id, issue_id, rating) VALUES (?, ?, 'satisfied')", [s.s5, issues.lift]);
  for (const key of ['neighbour-1', 'neighbour-2']) await exec('INSERT INTO issue_supports (issue_id, resident_key) VALUES (?, ?)', [issues.liftAgain, key]);
  await exec("INSERT INTO appeals (submission_id, kind, reason, proof) VALUES (?, 'submission', '请再看看', 'device')", [s.s3]);

  return { district, subdistrict, yongan, qingfeng, grid, cats, spring, winter, qrs, issues, s, member, unit };
}
export type EngineFixture = Awaited<ReturnType<typeof seedEngineFixture>>;
