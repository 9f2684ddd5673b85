import fc from 'fast-check';
import { titleChunks } from '../../src/qr/title-lines';

const len = (s: string) => [...s.replace(/\s/g, '')].length;

describe('poster title pieces', () => {
  it('keeps words whole, numbers with their unit, quotations whole, and 3+ characters at each end', () => {
    expect(titleChunks('永安社区楼院环境整治意见征集')).toEqual(['永安社区楼院', '环境', '整治', '意见征集']);
    expect(titleChunks('老旧小区改造意见')).toEqual(['老旧小区', '改造意见']);
    expect(titleChunks('庆丰社区微心愿')).toEqual(['庆丰社区', '微心愿']);
    expect(titleChunks('建中街街道2026年冬季老旧小区改造居民意见')).toContain('2026年');
    expect(titleChunks('关于“一老一小”服务设施的意见征集（第二轮）')[0]).toBe('关于“一老一小”');
    expect(titleChunks('加装电梯的意见').join('|')).not.toMatch(/\|的|\|意见$/);
    expect(titleChunks('意见')).toEqual(['意见']);
  });

  it('never loses or reorders a character, and both ends hold at least 3 characters', () => {
    const han = fc.constantFrom(...'社区意见征集楼院环境整治老旧小区改造居民微心愿的年关于加装电梯停车管理垃圾分类'.split(''));
    const piece = fc.oneof(fc.string({ unit: han, minLength: 1, maxLength: 6 }), fc.constantFrom('2026', '“一老一小”', '（第二轮）', '，', ' '));
    fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), (parts) => {
      const title = parts.join('').trim();
      if (!title) return;
      const chunks = titleChunks(title);
      expect(chunks.join('')).toBe(title);
      if (len(title) >= 3) {
        expect(len(chunks[0])).toBeGreaterThanOrEqual(3);
        expect(len(chunks[chunks.length - 1])).toBeGreaterThanOrEqual(3);
      }
    }), { numRuns: 300 });
  });
});
