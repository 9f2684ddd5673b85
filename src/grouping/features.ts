import { CONCEPTS, PREFERRED, SAME_AS_FAMILY } from './lexicon';

/** What the grouping compares of one suggestion. */
export interface TextFeatures {
  /** Concept ids the text names (src/grouping/lexicon.ts), most specific only. */
  concepts: string[];
  /** Buildings it names, normalized: "2号楼", "5号楼" (3栋, 三号楼 and 3幢 all become 3号楼). */
  buildings: string[];
  /** Words and character bigrams with their weights before idf. */
  terms: Map<string, number>;
}

const CN_DIGITS: Record<string, string> = { 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 十: '10' };

/** Full-width → half-width, lower case, 三号楼 → 3号楼. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase()
    .replace(/([一二两三四五六七八九十])(?=[号栋幢单层楼])/g, (d) => CN_DIGITS[d] ?? d);
}

const COMPILED = CONCEPTS.map(([id, pattern]) => ({ id, re: new RegExp(pattern, 'u') }));
const LOSES_TO = new Map<string, string[]>();
for (const [winner, loser] of PREFERRED) LOSES_TO.set(loser, [...(LOSES_TO.get(loser) ?? []), winner]);

/** The concepts a normalized text names, without generic ones its specific ones cover and losers of PREFERRED pairs. */
export function conceptsOf(normalized: string): string[] {
  const found = new Set(COMPILED.filter((c) => c.re.test(normalized)).map((c) => c.id));
  for (const id of [...found]) {
    const dot = id.indexOf('.');
    if (dot > 0) found.delete(id.slice(0, dot)); // "light.street" covers "light"
  }
  // A winner wins also through its kinds: leak.roof in a garage is about the leak, as plain leak is.
  const present = (w: string) => found.has(w) || [...found].some((f) => f.startsWith(w + '.'));
  for (const id of [...found]) if (LOSES_TO.get(id)?.some(present)) found.delete(id);
  return [...new Set([...found].map((id) => (SAME_AS_FAMILY.has(id) ? id.slice(0, id.indexOf('.')) : id)))].sort();
}

/**
 * "2号楼", "5栋", "3幢", "12号院" → the buildings or courtyards named. "7楼" and "六楼" are floors, not buildings,
 * and "2号" alone is a date or a door number.
 */
export function buildingsOf(normalized: string): string[] {
  const out = new Set<string>();
  for (const m of normalized.matchAll(/(\d{1,4})\s*(号楼|号院|栋|幢)/gu)) out.add(`${Number(m[1])}${m[2] === '号院' ? '号院' : '号楼'}`);
  return [...out].sort();
}

// Particles, fillers and the words of every request ("希望", "能不能") that make texts look alike without meaning
// the same problem.
const STOP_CHARS = new Set(Array.from('的了是在有我你他她它们这那和与及就都也又还很太吧呢啊吗呀哦嘛么请一下个些把被给让到'));
const STOP_WORDS = new Set([
  '希望', '建议', '能否', '能不能', '可以', '可否', '尽快', '一下', '一直', '经常', '现在', '已经', '好几', '好久',
  '社区', '小区', '居民', '我们', '大家', '有人', '没有', '问题', '情况', '解决', '处理', '反映', '帮忙',
  '晚上', '白天', '每天', '天天', '今年', '去年', '最近', '时候', '地方', '老人', '孩子', '住户', '家里',
]);

export type Segmenter = (text: string) => string[];

/** Character bigrams inside runs of letters and digits: "楼道杂物" → 楼道 道杂 杂物. */
export function bigrams(normalized: string): string[] {
  const out: string[] = [];
  for (const run of normalized.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const chars = Array.from(run).filter((c) => !STOP_CHARS.has(c));
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  }
  return out;
}

/** Words from the segmenter (without stop words and single characters) plus bigrams at half weight. */
export function termsOf(normalized: string, segment: Segmenter | null): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (t: string, w: number) => terms.set(t, Math.max(terms.get(t) ?? 0, w));
  if (segment) {
    for (const w of segment(normalized)) {
      if (Array.from(w).length < 2 || STOP_WORDS.has(w) || !/[\p{L}\p{N}]/u.test(w) || /^\d+$/.test(w)) continue;
      add('w:' + w, 1);
    }
  }
  for (const b of bigrams(normalized)) if (!STOP_WORDS.has(b) && !/^\d+$/.test(b)) add('b:' + b, segment ? 0.5 : 1);
  return terms;
}

/** What the grouping uses; each can be switched off to measure what it adds (`npm run bench -- grouping`). */
export interface FeatureOptions { segment: Segmenter | null; lexicon?: boolean }

export function featuresOf(text: string, opts: FeatureOptions): TextFeatures {
  const n = normalize(text);
  return { concepts: opts.lexicon === false ? [] : conceptsOf(n), buildings: buildingsOf(n), terms: termsOf(n, opts.segment) };
}
