import type { Db } from '../../src/db/open-db';
import { createCampaignRepo } from '../../src/campaigns/repo';
import { chinaToday } from '../../src/campaigns/rules';
import { createPlaceRepo } from '../../src/places/repo';
import { createQrRepo } from '../../src/qr/repo';
import { randomToken } from '../../src/http/random';

/** An open campaign over one community with one QR code, on any database (memory or file). */
export function seedOpenCampaign(db: Db, opts: { status?: 'draft' | 'open' | 'closed' } = {}) {
  const places = createPlaceRepo(db);
  const district = places.findByName('district', '二七区')?.id ?? places.create('district', null, '二七区');
  const sub = places.findChild(district, 'subdistrict', '建中街街道')?.id ?? places.create('subdistrict', district, '建中街街道');
  const community = places.findChild(sub, 'community', '永安社区')?.id ?? places.create('community', sub, '永安社区');
  const grid = places.findChild(community, 'grid', '第三网格')?.id ?? places.create('grid', community, '第三网格');
  const today = chinaToday();
  const campaigns = createCampaignRepo(db);
  const categoryIds = db.prepare('SELECT id FROM categories WHERE active = 1 ORDER BY sort_order').pluck().all() as number[];
  const campaignId = campaigns.create({
    subdistrictId: sub, title: '冬季征求意见', description: '请说出您身边的问题和微心愿', startsOn: addDays(today, -10),
    endsOn: addDays(today, 30), askPhoto: true, askContact: true, communityIds: [community], categoryIds,
  }, null);
  campaigns.setStatus(campaignId, opts.status ?? 'open');
  const token = randomToken(9);
  const qrCodeId = createQrRepo(db).create(campaignId, token, '永安社区 3号楼公告栏', grid);
  return { campaignId, qrCodeId, token, communityId: community, gridId: grid, subdistrictId: sub, categoryIds };
}

function addDays(day: string, n: number): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
