import type { Db } from '../../src/db/open-db';
import { placeWriter } from './factories';

export interface TwoSubdistricts {
  districtId: number;
  /** 建中街街道 with 永安社区 (2 grids, 1 compound) and 庆丰社区. */
  jianzhong: { id: number; yongan: number; qingfeng: number; yonganGrids: number[]; yonganCompound: number };
  /** 淮河路街道 with 幸福社区: another office's data. */
  huaihe: { id: number; xingfu: number };
}

/**
 * Two sub-districts under 二七区, enough to test that one office never sees the other's campaigns.
 * Campaigns on them: insertCampaign from ./factories.
 */
export function seedTwoSubdistricts(db: Db): TwoSubdistricts {
  const places = placeWriter(db);
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
