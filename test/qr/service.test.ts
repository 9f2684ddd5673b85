import { chineseDate, chunk, conversionOf, placeLabel, sortCodes, type QrStats } from '../../src/qr/service';
import { createQrSvgCache } from '../../src/qr/svg';

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
