import type { Db } from '../../src/db/open-db';
import { insertCampaign, insertSubmission, placeWriter } from './factories';

export interface QrWorld {
  subdistrictId: number;
  yongan: { id: number; gridIds: number[]; compoundIds: number[] };
  qingfeng: { id: number; gridIds: number[]; compoundIds: number[] };
  /** A community of the same sub-district that the campaign does not cover. */
  outsideId: number;
}

/** 二七区 → 建中街街道 → 永安社区 (3 grids, 2 compounds), 庆丰社区 (1 grid, 1 compound), 建华社区. */
export function seedQrPlaces(db: Db): QrWorld {
  const places = placeWriter(db);
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

/** A campaign for the QR pages (draft unless a status is given), on the shared insertCampaign. */
export function createQrCampaign(db: Db, opts: { title?: string; communityIds?: number[]; subdistrictId?: number | null; endsOn?: string; status?: 'draft' | 'open' | 'closed' } = {}): number {
  return insertCampaign(db, {
    subdistrictId: opts.subdistrictId ?? null, title: opts.title ?? '老旧小区改造征求意见', description: '请说说您的想法',
    startsOn: '2026-01-01', endsOn: opts.endsOn ?? '2026-12-31', askPhoto: true, askContact: true,
    communityIds: opts.communityIds ?? [], categoryIds: [1, 2], status: opts.status,
  });
}

/** A minimal submission row attributed to a QR code, for the per-code counts. */
export function addQrSubmission(db: Db, campaignId: number, qrCodeId: number | null): void {
  insertSubmission(db, { campaignId, qrCodeId, text: '路灯坏了' });
}
