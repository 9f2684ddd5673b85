import type { Db } from '../../src/db/open-db';
import { createCampaignRepo } from '../../src/campaigns/repo';
import { createPlaceRepo } from '../../src/places/repo';

/** Category id by name (the defaults come from 001_init). */
export function categoryId(db: Db, name: string): number {
  const id = db.prepare('SELECT id FROM categories WHERE name = ?').pluck().get(name) as number | undefined;
  if (!id) throw new Error('no category ' + name);
  return id;
}

/**
 * An open campaign over two communities of 建中街街道 (永安社区, 庆丰社区), offering the given categories
 * (all active ones by default).
 */
export function makeClassifyCampaign(db: Db, opts: { categories?: string[] } = {}) {
  const places = createPlaceRepo(db);
  const district = places.findByName('district', '二七区')?.id ?? places.create('district', null, '二七区');
  const sub = places.findChild(district, 'subdistrict', '建中街街道')?.id ?? places.create('subdistrict', district, '建中街街道');
  const yongan = places.findChild(sub, 'community', '永安社区')?.id ?? places.create('community', sub, '永安社区');
  const qingfeng = places.findChild(sub, 'community', '庆丰社区')?.id ?? places.create('community', sub, '庆丰社区');
  const categoryIds = opts.categories
    ? opts.categories.map((n) => categoryId(db, n))
    : (db.prepare('SELECT id FROM categories WHERE active = 1 ORDER BY sort_order').pluck().all() as number[]);
  const campaigns = createCampaignRepo(db);
  const campaignId = campaigns.create({
    subdistrictId: sub, title: '冬季征求意见', description: '', startsOn: '2026-01-01', endsOn: '2099-12-31',
    askPhoto: false, askContact: false, communityIds: [yongan, qingfeng], categoryIds,
  }, null);
  campaigns.setStatus(campaignId, 'open');
  return { campaignId, subdistrictId: sub, yongan, qingfeng, categoryIds };
}

let seq = 0;
/** A unique idempotency key for a test submission. */
export const key = () => `test-classify-${process.pid}-${++seq}`;
