/**
 * Server-rendered SVG charts: no script, no CDN, printable, readable by screen readers (a <title> and <desc>
 * on the chart, a <title> per bar, every label and number as real text). Colours are presentation attributes,
 * not style attributes, so the strict CSP (no inline styles) does not strip them.
 */

/** Markup built here with every piece of text escaped; templates output it with <%- chart.markup %>. */
export class SafeSvg {
  constructor(readonly markup: string) {}
  toString(): string { return this.markup; }
}

export interface Bar {
  label: string;
  value: number;
  /** On a time axis: the full day (YYYY-MM-DD) the column stands for; the axis then shows years where needed. */
  date?: string;
  /** What the bar's <title> and the description call it, when the label alone says too little. */
  title?: string;
  /** Drawn grey and set apart by a dashed line: a column that is not part of the series (e.g. "更早"). */
  apart?: boolean;
}

export interface ChartOptions {
  /** Unique within the page: used for the ids aria-labelledby points at. */
  id: string;
  title: string;
  /** Read by screen readers; defaults to a sentence listing every bar. */
  description?: string;
  bars: Bar[];
  /** Natural width in CSS pixels; the chart shrinks to fit a narrower container. */
  width?: number;
  /** Shown after each number, e.g. "条". */
  unit?: string;
}

const FONT = 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
const BAR_FILL = '#b3261e';
const APART_FILL = '#9aa0a8';
const AXIS = '#8a909c';
const TEXT = '#1f2328';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Wide characters (CJK) take about one em, others about half: enough to lay out labels without a font. */
export function textWidth(s: string, fontSize: number): number {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) > 0x2e7f ? fontSize : fontSize * 0.6;
  return w;
}

/** Cuts a label to fit a width, ending in "…"; the full label stays in the bar's <title>. */
export function fitLabel(s: string, maxWidth: number, fontSize: number): string {
  if (textWidth(s, fontSize) <= maxWidth) return s;
  let out = '';
  for (const ch of s) {
    if (textWidth(out + ch + '…', fontSize) > maxWidth) break;
    out += ch;
  }
  return out + '…';
}

const fmt = (n: number) => n.toLocaleString('en-US');
const r1 = (n: number) => Math.round(n * 10) / 10;

/** What a bar is called in its <title> and the description: its own title, else its full date, else its label. */
const nameOf = (b: Bar) => b.title ?? b.date ?? b.label;

function defaultDescription(title: string, bars: Bar[], unit: string): string {
  if (bars.length === 0) return `${title}：暂无数据。`;
  return `${title}：` + bars.map((b) => `${nameOf(b)} ${fmt(b.value)}${unit}`).join('，') + '。';
}

function frame(o: ChartOptions, width: number, height: number, body: string[]): SafeSvg {
  const id = o.id.replace(/[^\w-]/g, '');
  const desc = o.description ?? defaultDescription(o.title, o.bars, o.unit ?? '');
  return new SafeSvg([
    // Natural size in CSS pixels (13px labels stay 13px); CSS lets it shrink on a narrow phone or sheet of paper.
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"`,
    ` preserveAspectRatio="xMinYMin meet" aria-labelledby="${id}-t ${id}-d" font-family="${escapeXml(FONT)}">`,
    `<title id="${id}-t">${escapeXml(o.title)}</title>`,
    `<desc id="${id}-d">${escapeXml(desc)}</desc>`,
    ...body,
    '</svg>',
  ].join(''));
}

function emptyNote(x: number, y: number): string {
  return `<text x="${x}" y="${y}" font-size="14" fill="${AXIS}">暂无数据</text>`;
}

/**
 * Horizontal bars, one row per item, label on the left and the number at the end of each bar: suits
 * categories, communities and channels, whose Chinese names are easier to read horizontally.
 */
export function barChart(o: ChartOptions): SafeSvg {
  const width = o.width ?? 520;
  const fontSize = 13;
  const rowH = 26;
  const barH = 16;
  const top = 6;
  const labelW = Math.min(200, Math.max(48, ...o.bars.map((b) => textWidth(b.label, fontSize))) + 8);
  const unit = o.unit ?? '';
  const valueW = Math.max(30, ...o.bars.map((b) => textWidth(fmt(b.value) + unit, 12))) + 8;
  const plotW = Math.max(60, width - labelW - valueW);
  const max = Math.max(0, ...o.bars.map((b) => b.value));
  const height = top * 2 + Math.max(1, o.bars.length) * rowH;
  const body: string[] = [];
  if (o.bars.length === 0) body.push(emptyNote(0, 20));
  o.bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = max > 0 ? (Math.max(0, b.value) / max) * plotW : 0;
    const mid = y + rowH / 2;
    body.push(
      '<g class="bar">',
      `<title>${escapeXml(`${b.label}：${fmt(b.value)}${unit}`)}</title>`,
      `<text x="${labelW - 8}" y="${r1(mid)}" dy="0.35em" text-anchor="end" font-size="${fontSize}" fill="${TEXT}">`,
      escapeXml(fitLabel(b.label, labelW - 8, fontSize)), '</text>',
      `<rect x="${labelW}" y="${r1(mid - barH / 2)}" width="${r1(w)}" height="${barH}" fill="${BAR_FILL}"/>`,
      `<text x="${r1(labelW + w + 4)}" y="${r1(mid)}" dy="0.35em" font-size="12" fill="${TEXT}">${escapeXml(fmt(b.value) + unit)}</text>`,
      '</g>',
    );
  });
  body.splice(0, 0, `<line x1="${labelW}" y1="${top}" x2="${labelW}" y2="${height - top}" stroke="${AXIS}" stroke-width="1"/>`);
  return frame(o, width, height, body);
}

/** Year labels sit just right of the tick that marks a new year. */
const YEAR_INSET = 3;

/**
 * Where the years go under a time axis whose dated columns span more than one calendar year: at the first
 * dated column and at each column that starts a new year, left-aligned. Where two would overlap, the later
 * one (a new year beginning) is kept. Empty when all dated columns fall in one year (the caption gives it).
 */
export function yearMarks(bars: Bar[], slot: number, fontSize: number): Array<{ index: number; text: string; boundary: boolean }> {
  const marks: Array<{ index: number; text: string; boundary: boolean }> = [];
  let last: string | null = null;
  bars.forEach((b, i) => {
    if (!b.date) return;
    const year = b.date.slice(0, 4);
    if (year !== last) marks.push({ index: i, text: `${year}年`, boundary: last !== null });
    last = year;
  });
  if (marks.length < 2) return [];
  const kept: typeof marks = [];
  for (let k = marks.length - 1; k >= 0; k--) {
    const m = marks[k];
    const next = kept[0];
    const start = (x: typeof m) => x.index * slot + (x.boundary ? YEAR_INSET : 0);
    if (!next || start(m) + textWidth(m.text, fontSize) + 4 <= start(next)) kept.unshift(m);
  }
  return kept;
}

/**
 * Vertical columns along a time axis (days or weeks). Numbers sit above the columns, turned upright when the
 * columns are narrow; axis labels are thinned out so they never overlap. Dated columns that span more than
 * one year get a row of years under the day labels; a column marked `apart` (the "更早" of far earlier
 * days) is grey and set off by a dashed line.
 */
export function columnChart(o: ChartOptions): SafeSvg {
  const width = o.width ?? 640;
  const n = o.bars.length;
  const left = 8;
  const right = 8;
  const plotW = width - left - right;
  const slot = n > 0 ? plotW / n : plotW;
  const colW = Math.max(2, slot * 0.7);
  const max = Math.max(0, ...o.bars.map((b) => b.value));
  const unit = o.unit ?? '';
  const upright = slot < textWidth(fmt(max) + unit, 11) + 4;
  const valueSpace = upright ? textWidth(fmt(max) + unit, 11) + 8 : 18;
  const top = 4 + valueSpace;
  const plotH = 160;
  const axisY = top + plotH;
  const labelFont = 11;
  const widest = Math.max(0, ...o.bars.map((b) => textWidth(b.label, labelFont)));
  const every = Math.max(1, Math.ceil((widest + 8) / slot));
  const years = yearMarks(o.bars, slot, labelFont);
  const height = axisY + (years.length ? 36 : 22);
  const body: string[] = [`<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="${AXIS}" stroke-width="1"/>`];
  if (n === 0) body.push(emptyNote(left, axisY - 8));
  for (const m of years) {
    const x = left + slot * m.index;
    // A tick through both label rows where a new year begins, so the boundary reads at a glance.
    if (m.boundary) body.push(`<line x1="${r1(x)}" y1="${axisY}" x2="${r1(x)}" y2="${height - 2}" stroke="${AXIS}" stroke-width="1"/>`);
    const tx = Math.min(x + YEAR_INSET, width - right - textWidth(m.text, labelFont));
    body.push(`<text x="${r1(tx)}" y="${axisY + 30}" font-size="${labelFont}" font-weight="600" fill="${TEXT}">${escapeXml(m.text)}</text>`);
  }
  o.bars.forEach((b, i) => {
    const cx = left + slot * i + slot / 2;
    const h = max > 0 ? (Math.max(0, b.value) / max) * plotH : 0;
    const y = axisY - h;
    const value = escapeXml(fmt(b.value) + unit);
    if (b.apart && i + 1 < n) {
      const x = r1(left + slot * (i + 1));
      body.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${axisY + 20}" stroke="${AXIS}" stroke-width="1" stroke-dasharray="3 3"/>`);
    }
    body.push('<g class="bar">', `<title>${escapeXml(`${nameOf(b)}：${fmt(b.value)}${unit}`)}</title>`,
      `<rect x="${r1(cx - colW / 2)}" y="${r1(y)}" width="${r1(colW)}" height="${r1(h)}" fill="${b.apart ? APART_FILL : BAR_FILL}"/>`);
    body.push(upright
      ? `<text x="${r1(cx)}" y="${r1(y - 4)}" transform="rotate(-90 ${r1(cx)} ${r1(y - 4)})" dy="0.35em" font-size="11" fill="${TEXT}">${value}</text>`
      : `<text x="${r1(cx)}" y="${r1(y - 4)}" text-anchor="middle" font-size="11" fill="${TEXT}">${value}</text>`);
    if (i % every === 0) {
      body.push(`<text x="${r1(cx)}" y="${axisY + 15}" text-anchor="middle" font-size="${labelFont}" fill="${TEXT}">${escapeXml(b.label)}</text>`);
    }
    body.push('</g>');
  });
  return frame(o, width, height, body);
}
