import type { Db } from '../../src/db/open-db';
import { createCampaignRepo, type CampaignInput } from '../../src/campaigns/repo';
import type { CampaignStatus } from '../../src/campaigns/rules';
import { createPlaceRepo } from '../../src/places/repo';

export interface TwoSubdistricts {
  districtId: number;
  /** 建中街街道 with 永安社区 (2 grids, 1 compound) and 庆丰社区. */
  jianzhong: { id: number; yongan: number; qingfeng: number; yonganGrids: number[]; yonganCompound: number };
  /** 淮河路街道 with 幸福社区: another office's data. */
  huaihe: { id: number; xingfu: number };
}

/** Two sub-districts under 二七区, enough to test that one office never sees the other's campaigns. */
export function seedTwoSubdistricts(db: Db): TwoSubdistricts {
  const places = createPlaceRepo(db);
  const districtId = places.create('district', null, '二七区');
  const jz = places.create('subdistrict', districtId, '建中街街道');
  const yongan = places.create('community', jz, '永安社区');
  const qingfeng = places.create('community', jz, '庆丰社区');
  const yonganGrids = [places.create('grid', yongan, '第一网格'), places.create('grid', yongan, '第二网格')];
  const yonganCompound = places.create('compound', yongan, '铁路家属院', true);
  const hh = places.create('subdistrict', districtId, '淮河路街道');
  const xingfu = places.create('community', hh, '幸福社区');
  return { districtId, jianzhong: { id: jz, yongan, qingfeng, yonganGrids, yonganCompound }, huaihe: { id: hh, xingfu } };
}

/** A campaign straight into the database (bypassing the form), with the given status. */
export function makeCampaign(db: Db, input: Partial<CampaignInput> & { status?: CampaignStatus } = {}): number {
  const repo = createCampaignRepo(db);
  const categoryIds = input.categoryIds ?? (db.prepare('SELECT id FROM categories WHERE active = 1').pluck().all() as number[]);
  const id = repo.create({
    subdistrictId: input.subdistrictId ?? null, title: input.title ?? '冬季征求意见', description: input.description ?? '',
    startsOn: input.startsOn ?? '2026-01-01', endsOn: input.endsOn ?? '2026-12-31', askPhoto: input.askPhoto ?? true,
    askContact: input.askContact ?? true, communityIds: input.communityIds ?? [], categoryIds,
  }, null);
  if (input.status) repo.setStatus(id, input.status);
  return id;
}
