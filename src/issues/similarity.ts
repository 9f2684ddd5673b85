/**
 * Text similarity for proposing likely duplicates. Chinese has no spaces, so texts are compared as bags
 * of character bigrams (plus single characters at a lower weight, which short complaints need), after
 * dropping punctuation and particles, by cosine similarity.
 */

// Particles and fillers that make texts look alike without meaning the same problem.
const STOP_CHARS = new Set(Array.from('的了是在有我你他她它们这那和与及就都也又还很太吧呢啊吗呀哦嘛么请希望建议能否一下个些'));
const CN_DIGITS: Record<string, string> = { 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

/** "三号楼" and "3号楼" are the same building. */
function normalize(text: string): string[] {
  const t = text.normalize('NFKC').toLowerCase()
    .replace(/([一二两三四五六七八九])(?=[号栋幢单层楼])/g, (d) => CN_DIGITS[d] ?? d);
  return Array.from(t).filter((c) => /[\p{L}\p{N}]/u.test(c) && !STOP_CHARS.has(c));
}

export type TextVector = Map<string, number>;

const UNIGRAM_WEIGHT = 0.5;

export function textVector(text: string): TextVector {
  const chars = normalize(text);
  const v: TextVector = new Map();
  for (let i = 0; i < chars.length; i++) {
    v.set(chars[i], (v.get(chars[i]) ?? 0) + UNIGRAM_WEIGHT);
    if (i + 1 < chars.length) {
      const bigram = chars[i] + chars[i + 1];
      v.set(bigram, (v.get(bigram) ?? 0) + 1);
    }
  }
  return v;
}

export function cosine(a: TextVector, b: TextVector): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, x] of small) { const y = large.get(k); if (y) dot += x * y; }
  if (dot === 0) return 0;
  let na = 0; for (const x of a.values()) na += x * x;
  let nb = 0; for (const x of b.values()) nb += x * x;
  return dot / Math.sqrt(na * nb);
}

export const similarity = (a: string, b: string) => cosine(textVector(a), textVector(b));

/**
 * Thresholds: two submissions from the same compound need less textual overlap to be the same problem than
 * two from anywhere in the community. Tuned by hand: on ../shared/data/suggestions-dev.csv (76 distinct problems) no pair of
 * different problems scores above 0.27, while rewordings of one complaint score 0.36–0.7 (test/issues/similarity.test.ts).
 */
export const SAME_COMPOUND_THRESHOLD = 0.3;
export const SAME_COMMUNITY_THRESHOLD = 0.35;

export interface Comparable { id: number; communityId: number | null; compoundId: number | null; vector: TextVector }

/** Whether two items are likely the same problem: same community, and similar enough for how close they are. */
export function likelySame(a: Comparable, b: Comparable): { same: boolean; score: number } {
  if (a.communityId !== b.communityId) return { same: false, score: 0 };
  const score = cosine(a.vector, b.vector);
  const sameCompound = a.compoundId !== null && a.compoundId === b.compoundId;
  return { same: score >= (sameCompound ? SAME_COMPOUND_THRESHOLD : SAME_COMMUNITY_THRESHOLD), score };
}

/**
 * Groups likely duplicates (connected components of the "likely same" relation), keeping the input order
 * inside each group and ordering groups by their first member. Singletons come back as groups of one.
 */
export function groupLikelyDuplicates<T extends Comparable>(items: T[]): T[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; } return i; };
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      if (likelySame(items[i], items[j]).same) {
        const a = find(i); const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, T[]>();
  items.forEach((item, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(item); else groups.set(root, [item]);
  });
  return [...groups.values()];
}

/** The best-matching candidate above the threshold for `item`, if any (e.g. an existing issue to join). */
export function bestMatch<T extends Comparable>(item: Comparable, candidates: T[]): { candidate: T; score: number } | null {
  let best: { candidate: T; score: number } | null = null;
  for (const c of candidates) {
    const r = likelySame(item, c);
    if (r.same && (!best || r.score > best.score)) best = { candidate: c, score: r.score };
  }
  return best;
}
