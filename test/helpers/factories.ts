import type { Db } from '../../src/db/open-db';
import { createCampaignRepo } from '../../src/campaigns/repo';
import { chinaToday, type CampaignStatus } from '../../src/campaigns/rules';
import { createPlaceRepo } from '../../src/places/repo';
import { createQrRepo } from '../../src/qr/repo';
import { randomToken } from '../../src/http/random';

/** YYYY-MM-DD shifted by n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
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
  const places = createPlaceRepo(db);
  const district = places.findByName('district', '二七区')?.id ?? places.create('district', null, '二七区');
  const subdistrictId = places.findChild(district, 'subdistrict', '建中街街道')?.id ?? places.create('subdistrict', district, '建中街街道');
  const communityName = opts.community ?? '永安社区';
  const communityId = places.findChild(subdistrictId, 'community', communityName)?.id ?? places.create('community', subdistrictId, communityName);
  const gridName = opts.grid ?? '第一网格';
  const gridId = places.findChild(communityId, 'grid', gridName)?.id ?? places.create('grid', communityId, gridName);
  const compoundId = places.findChild(communityId, 'compound', '永安里小区')?.id ?? places.create('compound', communityId, '永安里小区', true);
  const categoryIds = (db.prepare('SELECT id FROM categories WHERE active = 1 ORDER BY sort_order LIMIT 5').pluck().all() as number[]);
  const today = chinaToday();
  const campaigns = createCampaignRepo(db);
  const campaignId = campaigns.create({
    subdistrictId, title: opts.title ?? '冬季民生征求意见', description: '说说您身边的问题和微心愿',
    startsOn: opts.startsOn ?? addDays(today, -7), endsOn: opts.endsOn ?? addDays(today, 30),
    askPhoto: opts.askPhoto ?? true, askContact: opts.askContact ?? true, communityIds: [communityId], categoryIds,
  }, null);
  const status = opts.status ?? 'open';
  if (status !== 'draft') campaigns.setStatus(campaignId, status);
  const at = opts.qrAt ?? 'grid';
  const placeId = at === 'community' ? communityId : at === 'grid' ? gridId : at === 'compound' ? compoundId : null;
  const qrToken = randomToken(9);
  const qrCodeId = createQrRepo(db).create(campaignId, qrToken, `${communityName} 3号楼公告栏`, placeId);
  return { campaignId, qrToken, qrCodeId, subdistrictId, communityId, gridId, compoundId, categoryIds };
}
