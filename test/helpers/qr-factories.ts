import type { Db } from '../../src/db/open-db';
import { createCampaignRepo } from '../../src/campaigns/repo';
import { createPlaceRepo } from '../../src/places/repo';
import { createQrRepo } from '../../src/qr/repo';
import { newQrToken } from '../../src/qr/token';

export interface QrWorld {
  subdistrictId: number;
  yongan: { id: number; gridIds: number[]; compoundIds: number[] };
  qingfeng: { id: number; gridIds: number[]; compoundIds: number[] };
  /** A community of the same sub-district that the campaign does not cover. */
  outsideId: number;
}

/** 二七区 → 建中街街道 → 永安社区 (3 grids, 2 compounds), 庆丰社区 (1 grid, 1 compound), 建华社区. */
export function seedQrPlaces(db: Db): QrWorld {
  const places = createPlaceRepo(db);
  const district = places.create('district', null, '二七区');
  const subdistrictId = places.create('subdistrict', district, '建中街街道');
  const community = (name: string, grids: string[], compounds: string[]) => {
    const id = places.create('community', subdistrictId, name);
    return {
      id,
      gridIds: grids.map((g) => places.create('grid', id, g)),
      compoundIds: compounds.map((c, i) => places.create('compound', id, c, i === 0)),
    };
  };
  const yongan = community('永安社区', ['第一网格', '第二网格', '第三网格'], ['永安里小区', '铁路家属院']);
  const qingfeng = community('庆丰社区', ['第一网格'], ['庆丰苑']);
  const outsideId = places.create('community', subdistrictId, '建华社区');
  return { subdistrictId, yongan, qingfeng, outsideId };
}

export function createQrCampaign(db: Db, opts: { title?: string; communityIds?: number[]; subdistrictId?: number | null; endsOn?: string; status?: 'draft' | 'open' | 'closed' } = {}): number {
  const campaigns = createCampaignRepo(db);
  const id = campaigns.create({
    subdistrictId: opts.subdistrictId ?? null, title: opts.title ?? '老旧小区改造征求意见', description: '请说说您的想法',
    startsOn: '2026-01-01', endsOn: opts.endsOn ?? '2026-12-31', askPhoto: true, askContact: true,
    communityIds: opts.communityIds ?? [], categoryIds: [1, 2],
  }, null);
  if (opts.status) campaigns.setStatus(id, opts.status);
  return id;
}

/** `count` codes labelled "张贴点 1…n" in one transaction (fast enough for 200-poster sheets). */
export function createQrCodes(db: Db, campaignId: number, count: number, placeId: number | null = null): number[] {
  const repo = createQrRepo(db);
  return db.transaction(() => Array.from({ length: count }, (_, i) => repo.create(campaignId, newQrToken(), `张贴点 ${i + 1}`, placeId)))();
}

/** A minimal submission row attributed to a QR code, for the per-code counts. */
export function addQrSubmission(db: Db, campaignId: number, qrCodeId: number | null): void {
  const n = Math.random().toString(36).slice(2);
  db.prepare(`INSERT INTO submissions (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, text)
    VALUES (?, ?, ?, ?, 'suggestion', '路灯坏了')`).run(campaignId, qrCodeId, 'R' + n, 'k' + n);
}
