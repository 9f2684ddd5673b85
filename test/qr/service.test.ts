import { DomainError } from '../../src/lib/errors';
import { STATUS_OF } from '../../src/http/error-handler';
import { QR_MESSAGES, chineseDate, chunk, conversionOf, placeLabel, sortCodes, type QrStats } from '../../src/qr/service';
import { createQrSvgCache } from '../../src/qr/svg';
import { createUser, makeTestApp, viewerOf } from '../helpers/app';
import { createQrCodes } from '../helpers/factories';
import { createQrCampaign, seedQrPlaces } from '../helpers/qr-factories';

const row = (id: number, label: string, scans: number, submissions: number): QrStats => ({
  id, campaignId: 1, token: 't' + id, label, placeId: null, scanCount: scans, createdAt: '', url: '', placeName: null,
  scans, submissions, conversion: conversionOf(scans, submissions),
});

describe('QR list rules', () => {
  const codes = [row(1, '永安社区', 10, 1), row(2, '庆丰社区', 0, 0), row(3, '建华社区', 4, 2), row(4, '交通路社区', 40, 3)];

  it('sorts so the best poster comes first', () => {
    expect(sortCodes(codes, 'scans').map((c) => c.id)).toEqual([4, 1, 3, 2]);
    expect(sortCodes(codes, 'submissions').map((c) => c.id)).toEqual([4, 3, 1, 2]);
    // 50%, 10%, 7.5%, then the never-scanned code last.
    expect(sortCodes(codes, 'conversion').map((c) => c.id)).toEqual([3, 1, 4, 2]);
    expect(sortCodes(codes, 'created').map((c) => c.id)).toEqual([1, 2, 3, 4]);
    expect(sortCodes(codes, 'label').map((c) => c.label)).toHaveLength(4);
  });

  it('computes conversion only once a code was scanned', () => {
    expect(conversionOf(0, 0)).toBeNull();
    expect(conversionOf(8, 2)).toBe(0.25);
  });

  it('labels places as they are printed', () => {
    const community = { id: 1, kind: 'community' as const, parentId: 9, name: '永安社区', noPropertyCompany: false };
    expect(placeLabel(community, undefined)).toBe('永安社区');
    expect(placeLabel({ ...community, id: 2, kind: 'grid', parentId: 1, name: '第三网格' }, community)).toBe('永安社区 第三网格');
    expect(placeLabel({ ...community, id: 3, kind: 'compound', parentId: 1, name: '永安里小区' }, community)).toBe('永安社区 永安里小区');
  });

  it('writes dates the Chinese way and pages labels by twelve', () => {
    expect(chineseDate('2026-03-05')).toBe('2026年3月5日');
    expect(chunk(Array.from({ length: 25 }, (_, i) => i), 12).map((p) => p.length)).toEqual([12, 12, 1]);
  });
});

describe('QR SVG cache', () => {
  it('draws an SVG once per URL and keeps at most its capacity', async () => {
    const cache = createQrSvgCache(2);
    const a = await cache.svgFor('http://x/q/aaaaaaaaaaaa');
    expect(a).toMatch(/^<svg[^>]*viewBox/);
    expect(await cache.svgFor('http://x/q/aaaaaaaaaaaa')).toBe(a);
    await cache.svgFor('http://x/q/bbbbbbbbbbbb');
    await cache.svgFor('http://x/q/cccccccccccc');
    expect(cache.size).toBe(2);
  });
});

describe('QR access', () => {
  /** What a call throws: its status and message, or 'ok'. */
  const outcome = async (f: () => unknown): Promise<string> => {
    try { await f(); return 'ok'; } catch (e) { if (e instanceof DomainError) return `${STATUS_OF[e.kind]} ${e.message}`; throw e; }
  };

  it('answers 404 for what the user cannot see, like a missing record, and 403 only for what they see but may not change', async () => {
    const t = makeTestApp();
    const w = seedQrPlaces(t.db);
    const { ctx } = t.app;
    const service = ctx.qrService;
    const staffOf = (scopePlaceId: number) => viewerOf(t, createUser(t.db, { role: 'staff', scopePlaceId }).id);
    const yonganStaff = await staffOf(w.yongan.id);
    const shared = createQrCampaign(t.db, { communityIds: [w.yongan.id, w.qingfeng.id] });
    const other = createQrCampaign(t.db, { communityIds: [w.outsideId] });
    const [otherCode] = createQrCodes(t.db, other, 1, w.outsideId);
    const [wideCode] = createQrCodes(t.db, shared, 1, null);
    const [neighbourCode] = createQrCodes(t.db, shared, 1, w.qingfeng.gridIds[0]);
    const [ownCode] = createQrCodes(t.db, shared, 1, w.yongan.gridIds[0]);
    const noCampaign = '404 找不到这个征求意见活动。请检查链接是否完整，或返回首页。';
    const noCode = '404 找不到这个二维码。请检查链接是否完整，或返回首页。';

    // Invisible campaign: the same answer as a missing one, on every entry point.
    for (const id of [other, 424242]) {
      expect(await outcome(() => service.access(yonganStaff, id))).toBe(noCampaign);
      expect(await outcome(() => service.bulkAccess(yonganStaff, id))).toBe(noCampaign);
      expect(await outcome(() => service.list(yonganStaff, id, 'created'))).toBe(noCampaign);
      expect(await outcome(() => service.create(yonganStaff, id, { label: 'x', placeId: null }))).toBe(noCampaign);
    }
    // Invisible codes (another campaign's, a neighbour's place, missing): 404 named as a code, for viewing and changing.
    for (const id of [otherCode, neighbourCode, 424242]) {
      expect(await outcome(() => service.codeAccess(yonganStaff, id))).toBe(noCode);
      expect(await outcome(() => service.codeAccess(yonganStaff, id, 'change'))).toBe(noCode);
    }
    // Visible but not theirs to change: 403 with the existing messages.
    expect(await outcome(() => service.codeAccess(yonganStaff, wideCode))).toBe('ok');
    expect(await outcome(() => service.codeAccess(yonganStaff, wideCode, 'change'))).toBe(`403 ${QR_MESSAGES.wideRename}`);
    expect(await outcome(() => service.bulkAccess(yonganStaff, shared))).toBe(`403 ${QR_MESSAGES.bulk}`);
    expect(await outcome(() => service.create(yonganStaff, shared, { label: 'x', placeId: null }))).toBe(`403 ${QR_MESSAGES.wideCreate}`);
    expect(await outcome(() => service.codeAccess(yonganStaff, ownCode, 'change'))).toBe('ok');
    await ctx.scanCounter.stop();
    t.db.close();
  });
});
