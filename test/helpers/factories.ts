/**
 * The shared test factories: places, campaigns, QR codes and submissions straight into the database.
 * Domain helpers (campaign-, qr-, intake-, issues-, dashboard-, classify-factories) build their worlds on these.
 */
import type { Db } from '../../src/db/open-db';
import type { CampaignInput } from '../../src/campaigns/repo';
import { chinaToday, type CampaignStatus } from '../../src/campaigns/rules';
import type { PlaceKind } from '../../src/places/repo';
import { bumpGeneration } from '../../src/db/generation';
import { newQrToken } from '../../src/qr/token';
import { randomToken } from '../../src/lib/random';
import type { Channel, SubmissionKind } from '../../src/submissions/types';

/** YYYY-MM-DD shifted by n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// ---- places ----

/** Inserts places straight into the database (the place repo is asynchronous; the factories stay synchronous). */
export function placeWriter(db: Db) {
  const insert = db.prepare<[PlaceKind, number | null, string, number], { id: number }>(
    'INSERT INTO places (kind, parent_id, name, no_property_company) VALUES (?, ?, ?, ?) RETURNING id');
  return {
    create: (kind: PlaceKind, parentId: number | null, name: string, noPropertyCompany = false): number =>
      insert.get(kind, parentId, name, noPropertyCompany ? 1 : 0)!.id,
  };
}

/** The place of that kind and name under the parent, created if missing (so several worlds can share one database). */
export function ensurePlace(db: Db, kind: PlaceKind, parentId: number | null, name: string, noPropertyCompany = false): number {
  const found = parentId === null
    ? db.prepare<[PlaceKind, string], { id: number }>('SELECT id FROM places WHERE kind = ? AND name = ? ORDER BY id LIMIT 1').get(kind, name)
    : db.prepare<[PlaceKind, string, number], { id: number }>('SELECT id FROM places WHERE kind = ? AND name = ? AND parent_id = ?').get(kind, name, parentId);
  return found?.id ?? placeWriter(db).create(kind, parentId, name, noPropertyCompany);
}

/** 二七区 → <sub-district> (建中街街道 by default), reused when present. */
export function ensureSubdistrict(db: Db, name = '建中街街道'): { districtId: number; subdistrictId: number } {
  const districtId = ensurePlace(db, 'district', null, '二七区');
  return { districtId, subdistrictId: ensurePlace(db, 'subdistrict', districtId, name) };
}

// ---- categories ----

/** Category id by name (the defaults come from 001_init). */
export function categoryId(db: Db, name: string): number {
  const id = db.prepare('SELECT id FROM categories WHERE name = ?').pluck().get(name) as number | undefined;
  if (!id) throw new Error('no category ' + name);
  return id;
}

/** Ids of the active categories in menu order. */
export const activeCategoryIds = (db: Db): number[] =>
  db.prepare('SELECT id FROM categories WHERE active = 1 ORDER BY sort_order').pluck().all() as number[];

// ---- campaigns ----

/** A campaign row straight into the database (bypassing the form), left as draft unless a status is given. */
export function insertCampaign(db: Db, input: Partial<CampaignInput> & { status?: CampaignStatus } = {}): number {
  // Plain SQL on the 001 tables only, so tests that stop migrating part-way (e.g. before 040) can use it too.
  const id = Number(db.prepare(`INSERT INTO campaigns (subdistrict_id, title, description, starts_on, ends_on, status, ask_photo, ask_contact)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
    input.subdistrictId ?? null, input.title ?? '冬季征求意见', input.description ?? '', input.startsOn ?? '2026-01-01',
    input.endsOn ?? '2026-12-31', input.status ?? 'draft', (input.askPhoto ?? true) ? 1 : 0, (input.askContact ?? true) ? 1 : 0,
  ).lastInsertRowid);
  for (const c of input.communityIds ?? []) db.prepare('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)').run(id, c);
  for (const c of input.categoryIds ?? activeCategoryIds(db)) db.prepare('INSERT INTO campaign_categories (campaign_id, category_id) VALUES (?, ?)').run(id, c);
  return id;
}

export interface MadeCampaign {
  campaignId: number;
  qrToken: string;
  qrCodeId: number;
  subdistrictId: number;
  communityId: number;
  gridId: number;
  compoundId: number;
  categoryIds: number[];
}

/**
 * A campaign with one QR code, on 二七区 → 建中街街道 → <community> (with a grid and a compound). Place rows are
 * reused when they exist, so several campaigns and communities can share one database.
 */
export function makeCampaign(db: Db, opts: {
  status?: CampaignStatus; startsOn?: string; endsOn?: string; askPhoto?: boolean; askContact?: boolean;
  community?: string; grid?: string; qrAt?: 'community' | 'grid' | 'compound' | 'none'; title?: string;
} = {}): MadeCampaign {
  const { subdistrictId } = ensureSubdistrict(db);
  const communityName = opts.community ?? '永安社区';
  const communityId = ensurePlace(db, 'community', subdistrictId, communityName);
  const gridId = ensurePlace(db, 'grid', communityId, opts.grid ?? '第一网格');
  const compoundId = ensurePlace(db, 'compound', communityId, '永安里小区', true);
  const categoryIds = activeCategoryIds(db).slice(0, 5);
  const today = chinaToday();
  const campaignId = insertCampaign(db, {
    subdistrictId, title: opts.title ?? '冬季民生征求意见', description: '说说您身边的问题和微心愿',
    startsOn: opts.startsOn ?? addDays(today, -7), endsOn: opts.endsOn ?? addDays(today, 30),
    askPhoto: opts.askPhoto ?? true, askContact: opts.askContact ?? true, communityIds: [communityId], categoryIds,
    status: opts.status ?? 'open',
  });
  const at = opts.qrAt ?? 'grid';
  const placeId = at === 'community' ? communityId : at === 'grid' ? gridId : at === 'compound' ? compoundId : null;
  const qrToken = randomToken(9);
  const qrCodeId = insertQrCode(db, campaignId, qrToken, `${communityName} 3号楼公告栏`, placeId);
  return { campaignId, qrToken, qrCodeId, subdistrictId, communityId, gridId, compoundId, categoryIds };
}

// ---- QR codes ----

/**
 * A QR code row straight into the database (the QR repo is asynchronous; the factories stay synchronous). Bumps the
 * generation as the repo does, so the resident form's cache sees it.
 */
export function insertQrCode(db: Db, campaignId: number, token: string, label: string, placeId: number | null = null): number {
  bumpGeneration(db);
  return db.prepare<[number, string, string, number | null], { id: number }>(
    'INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES (?, ?, ?, ?) RETURNING id').get(campaignId, token, label, placeId)!.id;
}

/** `count` codes labelled "张贴点 1…n" in one transaction (fast enough for 200-poster sheets). */
export function createQrCodes(db: Db, campaignId: number, count: number, placeId: number | null = null): number[] {
  return db.transaction(() => Array.from({ length: count }, (_, i) => insertQrCode(db, campaignId, newQrToken(), `张贴点 ${i + 1}`, placeId)))();
}

// ---- submissions ----

let seq = 0;

/** A submission row straight into the table, with control over created_at and the issue it belongs to. */
export function insertSubmission(db: Db, s: {
  campaignId: number; communityId?: number | null; gridId?: number | null; compoundId?: number | null; qrCodeId?: number | null;
  kind?: SubmissionKind; channel?: Channel; categoryId?: number | null; text?: string; createdAt?: string; collectedOn?: string | null;
  residentName?: string | null; residentPhone?: string | null; issueId?: number | null; reply?: string | null; building?: string | null;
}): number {
  seq++;
  return Number(db.prepare(`INSERT INTO submissions (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, category_id, text,
      resident_name, resident_phone, building, community_id, grid_id, compound_id, channel, collected_on, reply, issue_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    s.campaignId, s.qrCodeId ?? null, `DT${String(seq).padStart(6, '0')}`, `dash-test-${process.pid}-${seq}`, s.kind ?? 'suggestion',
    s.categoryId ?? null, s.text ?? '楼道灯坏了', s.residentName ?? null, s.residentPhone ?? null, s.building ?? null,
    s.communityId ?? null, s.gridId ?? null, s.compoundId ?? null, s.channel ?? 'online', s.collectedOn ?? null, s.reply ?? null,
    s.issueId ?? null, s.createdAt ?? new Date().toISOString(),
  ).lastInsertRowid);
}
