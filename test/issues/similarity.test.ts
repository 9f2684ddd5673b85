import fs from 'node:fs';
import path from 'node:path';
import {
  SAME_COMMUNITY_THRESHOLD, bestMatch, groupLikelyDuplicates, likelySame, similarity, textVector,
} from '../../src/issues/similarity';

const item = (id: number, text: string, communityId: number | null = 1, compoundId: number | null = null) =>
  ({ id, communityId, compoundId, vector: textVector(text) });

describe('text similarity for likely duplicates', () => {
  it('scores rewordings of one complaint above the community threshold', () => {
    const pairs: Array<[string, string]> = [
      ['3号楼电梯坏了好几天了', '三号楼的电梯又坏了，老人上下楼很不方便'],
      ['小区门口的路灯不亮了，晚上很黑', '门口路灯坏了，晚上出门看不见'],
      ['楼道里堆满杂物，有消防隐患', '楼道杂物太多，存在火灾隐患'],
      ['电动车在楼道充电很危险', '楼道里有人给电动车充电，太危险了'],
      ['停车位太少，晚上车停不下', '小区停车难，车位不够'],
      ['4号楼楼顶漏水', '四号楼顶层漏雨，家里墙都湿了'],
    ];
    for (const [a, b] of pairs) expect([a, b, similarity(a, b) >= SAME_COMMUNITY_THRESHOLD]).toEqual([a, b, true]);
  });

  it('keeps different problems apart', () => {
    expect(similarity('3号楼电梯坏了好几天了', '小区门口垃圾没人清理，气味很大')).toBeLessThan(0.1);
    expect(similarity('希望增加老年人活动场所', '建议小区增设健身器材')).toBeLessThan(0.2);
  });

  it('finds no false duplicates among the distinct problems of the dev set', () => {
    const file = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'suggestions-dev.csv');
    if (!fs.existsSync(file)) return;
    const texts = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.slice(0, l.lastIndexOf(',')).replace(/^"|"$/g, ''));
    expect(texts.length).toBeGreaterThan(20);
    const groups = groupLikelyDuplicates(texts.map((t, i) => item(i, t)));
    expect(groups.filter((g) => g.length > 1)).toEqual([]);
  });

  it('handles empty and punctuation-only text', () => {
    expect(similarity('', '电梯坏了')).toBe(0);
    expect(similarity('！！！', '。。。')).toBe(0);
  });

  it('needs the same community, and less overlap within one compound', () => {
    const a = '小区停车位太少了';
    const b = '停车位不够，晚上没地方停';
    const s = similarity(a, b);
    expect(s).toBeGreaterThanOrEqual(0.3);
    expect(s).toBeLessThan(SAME_COMMUNITY_THRESHOLD);
    expect(likelySame(item(1, a, 1, 5), item(2, b, 1, 5)).same).toBe(true);
    expect(likelySame(item(1, a, 1, 5), item(2, b, 1, 6)).same).toBe(false);
    expect(likelySame(item(1, a, 1), item(2, a, 2)).same).toBe(false);
  });

  it('groups connected duplicates and keeps singletons', () => {
    const groups = groupLikelyDuplicates([
      item(1, '3号楼电梯坏了好几天了'),
      item(2, '小区门口垃圾没人清理，气味很大'),
      item(3, '三号楼的电梯又坏了，老人上下楼很不方便'),
      item(4, '3号楼电梯又坏了'),
    ]);
    expect(groups.map((g) => g.map((x) => x.id))).toEqual([[1, 3, 4], [2]]);
  });

  it('picks the best matching candidate above the threshold', () => {
    const m = bestMatch(item(9, '电梯坏了没人修'), [item(1, '垃圾清运不及时'), item(2, '3号楼电梯坏了，没人来修')]);
    expect(m?.candidate.id).toBe(2);
    expect(bestMatch(item(9, '电梯坏了没人修'), [item(1, '垃圾清运不及时')])).toBeNull();
  });
});
