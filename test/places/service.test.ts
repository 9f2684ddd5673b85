import { childKindsOf, parseNameLines, usageReasons } from '../../src/places/service';

describe('place rules', () => {
  it('allows each kind only under its parent kind', () => {
    expect(childKindsOf(null)).toEqual(['district']);
    expect(childKindsOf('district')).toEqual(['subdistrict']);
    expect(childKindsOf('subdistrict')).toEqual(['community']);
    expect(childKindsOf('community')).toEqual(['grid', 'compound']);
    expect(childKindsOf('grid')).toEqual([]);
    expect(childKindsOf('compound')).toEqual([]);
  });

  it('reads one name per line, in order, without blanks or repeats', () => {
    expect(parseNameLines('  第一网格 \r\n\n第二  网格\r第一网格\n')).toEqual({ ok: true, value: ['第一网格', '第二 网格'] });
    expect(parseNameLines(' \n\t\n')).toEqual({ ok: false, errors: { names: '请至少填写一个名称，每行一个' } });
    const long = parseNameLines(['a', 'x'.repeat(61), 'b', 'y'.repeat(70)].join('\n'));
    expect(long.ok).toBe(false);
    expect(!long.ok && long.errors.names).toContain('第 2、4 行太长');
    const many = parseNameLines(Array.from({ length: 201 }, (_, i) => `楼院${i}`).join('\n'));
    expect(!many.ok && many.errors.names).toContain('一次最多添加 200 个');
  });

  it('says every reason a place is still in use', () => {
    expect(usageReasons({ children: 0, campaigns: 0, qrCodes: 0, submissions: 0, users: 0 })).toEqual([]);
    expect(usageReasons({ children: 2, campaigns: 1, qrCodes: 3, submissions: 4, users: 1 })).toEqual([
      '下面还有 2 个下级地点', '被 1 个征求意见活动使用', '有 3 个二维码设在这里', '有 4 条居民意见记在这里', '有 1 个账号负责这里',
    ]);
  });
});
