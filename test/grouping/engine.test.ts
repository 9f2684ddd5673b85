import fs from 'node:fs';
import path from 'node:path';
import { conceptRelation, groupItems, prepare, type Corrections, type GroupItem } from '../../src/grouping/engine';
import { buildingsOf, conceptsOf, normalize } from '../../src/grouping/features';
import { pairwiseF1, readLabelled } from '../../src/grouping/evaluate';
import { jiebaSegmenter } from '../../src/grouping/segmenter';

const concepts = (t: string) => conceptsOf(normalize(t));
const segment = jiebaSegmenter();
/** Group numbers for texts of one community (or the given communities). */
const group = (texts: Array<string | [string, string]>, corrections?: Corrections) => {
  const items: GroupItem[] = texts.map((t, i) => (Array.isArray(t) ? { key: i, community: t[0], text: t[1] } : { key: i, community: '建华社区', text: t }));
  return groupItems(prepare(items, { segment }), { corrections });
};
const together = (texts: Array<string | [string, string]>) => new Set(group(texts)).size === 1;

describe('concepts: what a text says is wrong', () => {
  it('recognises one problem however residents put it', () => {
    for (const t of ['2号楼电梯坏了好几天了', '电梯困人，吓死了', '电梯又停运了', '电梯卡住了，住户都在爬楼梯']) expect([t, concepts(t)]).toEqual([t, ['elevator.repair']]);
    for (const t of ['希望办个老年食堂', '社区能不能开个助餐点', '爱心餐厅什么时候开', '老两口做饭做不动了']) expect([t, concepts(t)]).toEqual([t, ['elderly.meal']]);
    for (const t of ['下水道返水', '排水管道堵了', '一楼卫生间往上冒脏水']) expect([t, concepts(t)]).toEqual([t, ['water.sewer']]);
  });

  it('tells apart different problems at the same place', () => {
    expect(concepts('小区门口路灯不亮')).toEqual(['light.street']);
    expect(concepts('小区门口积水')).toEqual(['flood']);
    expect(conceptRelation(concepts('小区门口路灯不亮'), concepts('小区门口积水'))).toBe('different');
    expect(conceptRelation(concepts('3号楼电梯坏了'), concepts('3号楼楼道灯不亮'))).toBe('different');
    expect(conceptRelation(concepts('楼下广场舞音响太吵'), concepts('楼上装修电钻声太吵'))).toBe('different');
    expect(conceptRelation(concepts('又停水了'), concepts('高层水压太低'))).toBe('different');
  });

  it('lets a vague complaint meet a specific one of its family', () => {
    expect(conceptRelation(concepts('晚上灯不亮，黑漆漆的'), concepts('路灯坏了'))).toBe('near');
    expect(conceptRelation(['light.street'], ['light.corridor'])).toBe('different');
    expect(conceptRelation([], ['flood'])).toBe('unknown');
  });

  it('reads buildings, not floors', () => {
    expect(buildingsOf(normalize('三号楼2单元'))).toEqual(['3号楼']);
    expect(buildingsOf(normalize('5栋和12幢'))).toEqual(['12号楼', '5号楼']);
    expect(buildingsOf(normalize('家住7楼，六楼以上没水'))).toEqual([]);
  });
});

describe('grouping', () => {
  it('puts rewordings of one problem together even when they share few characters', () => {
    expect(together(['2号楼电梯坏了好几天了', '电梯又卡住了，2号楼的住户都在爬楼梯'])).toBe(true);
    expect(together(['希望办个老年食堂', '社区能不能开个助餐点', '爱心餐厅什么时候开'])).toBe(true);
    expect(together(['下水道返水', '排水管道堵了'])).toBe(true);
  });

  it('keeps different problems at the same place apart', () => {
    expect(together(['小区门口路灯不亮', '小区门口积水'])).toBe(false);
  });

  it('never groups suggestions of different communities', () => {
    expect(together([['建华社区', '2号楼电梯坏了'], ['永安社区', '2号楼电梯坏了']])).toBe(false);
    expect(together([['建华社区', '电梯坏了'], [null as unknown as string, '电梯坏了']])).toBe(false);
  });

  it('keeps two buildings’ lifts as two problems', () => {
    expect(together(['2号楼电梯坏了', '5号楼电梯坏了'])).toBe(false);
  });

  it('does not let one loose pair chain two problems together (average linkage)', () => {
    const g = group(['楼道堆满杂物，着火了跑不出去', '楼道杂物太多', '着火了跑不出去，消防栓没水', '消防栓是空的，灭火器也过期了']);
    expect(g[0]).toBe(g[1]);
    expect(g[2]).toBe(g[3]);
    expect(g[0]).not.toBe(g[2]);
  });

  it('follows staff corrections over the scores', () => {
    const texts = ['2号楼电梯坏了', '电梯停运好几天了', '希望社区组织一次义诊'];
    expect(group(texts)).toEqual([0, 0, 1]);
    expect(group(texts, { apart: [[0, 1]] })).toEqual([0, 1, 2]);
    // Put together by staff though the texts share nothing; the third joins the pair only if like both on average.
    expect(group(texts, { together: [[0, 2]] })).toEqual([0, 1, 0]);
  });

  it('reaches the goal on the dev set and on our own sets', () => {
    const score = (file: string) => {
      const rows = readLabelled(fs.readFileSync(file, 'utf8'));
      const g = groupItems(prepare(rows.map((r, i) => ({ key: i, community: r.community, text: r.text })), { segment }));
      return pairwiseF1(rows.map((r) => r.group), g).f1;
    };
    expect(score(path.join(__dirname, '../../../shared/data/grouping-dev.tsv'))).toBeGreaterThanOrEqual(0.8);
    const own = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((x) => score(path.join(__dirname, `fixtures/set-${x}.tsv`)));
    expect(own.every((f) => f >= 0.8)).toBe(true);
  });
});

describe('pairwise F1', () => {
  it('counts pairs', () => {
    expect(pairwiseF1([1, 1, 2, 2], [1, 1, 2, 2]).f1).toBe(1);
    expect(pairwiseF1([1, 1, 2, 2], [1, 1, 1, 1])).toMatchObject({ precision: 2 / 6, recall: 1 });
    expect(pairwiseF1([1, 2, 3], [1, 2, 3])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });
});
