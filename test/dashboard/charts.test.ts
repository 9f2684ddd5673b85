import { barChart, columnChart, escapeXml, fitLabel } from '../../src/charts/svg';

/** Widths of the <rect> bars, in document order. */
const rectWidths = (svg: string) => [...svg.matchAll(/<rect [^>]*width="([\d.]+)"/g)].map((m) => Number(m[1]));
const rectHeights = (svg: string) => [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('barChart', () => {
  const bars = [{ label: '环境卫生', value: 120 }, { label: '设施维修', value: 60 }, { label: '其他', value: 30 }, { label: '邻里纠纷', value: 0 }];

  it('draws bars proportional to the values, the largest the full plot width', () => {
    const w = rectWidths(barChart({ id: 'c', title: '按分类', bars }).markup);
    expect(w).toHaveLength(4);
    expect(w[0]).toBeGreaterThan(100);
    expect(w[1] / w[0]).toBeCloseTo(0.5, 2);
    expect(w[2] / w[0]).toBeCloseTo(0.25, 2);
    expect(w[3]).toBe(0);
  });

  it('is accessible: role img, title and desc referenced by aria-labelledby, every label and number as text', () => {
    const svg = barChart({ id: 'cat', title: '按分类', bars, unit: '条' }).markup;
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-labelledby="cat-t cat-d"/);
    expect(svg).toContain('<title id="cat-t">按分类</title>');
    expect(svg).toMatch(/<desc id="cat-d">按分类：环境卫生 120条，设施维修 60条，其他 30条，邻里纠纷 0条。<\/desc>/);
    for (const b of bars) {
      expect(svg).toContain(`>${b.label}</text>`);
      expect(svg).toContain(`>${b.value}条</text>`);
      expect(svg).toContain(`<title>${b.label}：${b.value}条</title>`);
    }
    // No script, no style attributes (the CSP forbids inline styles), nothing fetched from elsewhere.
    expect(svg).not.toMatch(/<script|style=|href=|url\(/i);
  });

  it('escapes labels: a category named <script> comes out as text', () => {
    const svg = barChart({ id: 'x', title: '<b>标题</b>', bars: [{ label: '<script>alert("x")</script>', value: 3 }, { label: 'A&B "q" \'s\'', value: 1 }] }).markup;
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(svg).toContain('A&amp;B &quot;q&quot; &#39;s&#39;');
    expect(svg).toContain('&lt;b&gt;标题&lt;/b&gt;');
  });

  it('shortens very long labels with an ellipsis but keeps the full label in the bar title', () => {
    const long = '这是一个特别特别特别特别特别特别特别长的分类名称';
    const svg = barChart({ id: 'l', title: 't', bars: [{ label: long, value: 1 }] }).markup;
    expect(svg).toContain(`<title>${long}：1</title>`);
    expect(svg).toMatch(/…<\/text>/);
  });

  it('says so when there is nothing to draw, and survives all-zero values', () => {
    expect(barChart({ id: 'e', title: '按分类', bars: [] }).markup).toContain('暂无数据');
    const zero = barChart({ id: 'z', title: 't', bars: [{ label: 'a', value: 0 }, { label: 'b', value: 0 }] }).markup;
    expect(rectWidths(zero)).toEqual([0, 0]);
  });
});

describe('columnChart', () => {
  it('draws column heights proportional to the values with the numbers on the columns', () => {
    const svg = columnChart({ id: 't', title: '每天', bars: [{ label: '03-01', value: 10 }, { label: '03-02', value: 5 }, { label: '03-03', value: 0 }] }).markup;
    const h = rectHeights(svg);
    expect(h[1] / h[0]).toBeCloseTo(0.5, 2);
    expect(h[2]).toBe(0);
    expect(svg).toContain('>10</text>');
    expect(svg).toContain('>5</text>');
    expect(svg).toContain('>03-01</text>');
  });

  it('thins out axis labels and turns numbers upright when there are many columns', () => {
    const bars = Array.from({ length: 90 }, (_, i) => ({ label: `d${String(i).padStart(2, '0')}`, value: 1000 + i }));
    const svg = columnChart({ id: 'm', title: '每天', bars, width: 640 }).markup;
    const axisLabels = [...svg.matchAll(/>d\d\d<\/text>/g)].length;
    expect(axisLabels).toBeLessThan(90);
    expect(axisLabels).toBeGreaterThan(5);
    expect(svg).toContain('rotate(-90');
    // Every value is still printed.
    expect([...svg.matchAll(/>1,0\d\d<\/text>/g)].length).toBe(90);
  });
});

describe('helpers', () => {
  it('escapeXml handles the five special characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
  it('fitLabel leaves short labels alone', () => {
    expect(fitLabel('其他', 100, 13)).toBe('其他');
  });
});
