import { parse } from 'csv-parse/sync';
import { BOM, csvCell, csvLine, neutralizeFormula } from '../../src/exports/csv';

describe('CSV cells', () => {
  it('quotes per RFC 4180: commas, quotes and line breaks', () => {
    expect(csvCell('普通文字')).toBe('普通文字');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('他说"好"')).toBe('"他说""好"""');
    expect(csvCell('第一行\r\n第二行')).toBe('"第一行\r\n第二行"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
    expect(csvCell(-3)).toBe('-3');
  });

  it('neutralizes formulas: cells starting with = + - @ become text with a leading quote', () => {
    for (const evil of ['=HYPERLINK("http://x","点我")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(neutralizeFormula(evil)).toBe("'" + evil);
    }
    expect(neutralizeFormula('正常 = 内容')).toBe('正常 = 内容');
    expect(csvCell('=1+1,2')).toBe(`"'=1+1,2"`);
  });

  it('parses back to the same values', () => {
    const rows = [['回执码', '内容'], ['AB12', '楼道, 灯 "坏了"\n两周'], ['CD34', '']];
    const text = BOM + rows.map(csvLine).join('');
    expect(parse(text, { bom: true })).toEqual(rows);
  });
});
