import { featuresOf, type FeatureOptions, type TextFeatures } from './features';

/**
 * Grouping suggestions that describe the same problem. Two suggestions of one community are compared by:
 * - the concepts they name (src/grouping/lexicon.ts): the same concept is strong evidence, different concepts
 *   are evidence against, however many characters they share;
 * - the words and bigrams they share, weighted by how rare they are in the batch (tf-idf cosine), which carries
 *   what the lexicon does not know;
 * - the buildings they name (2号楼 vs 5号楼: two lifts, two issues) and the categories the classifier gave them.
 * Groups are then built by average linkage: a suggestion joins a group only if it is like the group as a whole,
 * not just like one member, so one loose pair cannot chain two problems together. Suggestions of different
 * communities are never grouped; staff corrections (must / cannot be together) override the scores.
 */

export interface GroupItem {
  /** Anything that identifies the item to the caller (a submission id, a line number). */
  key: number | string;
  /** Items of different communities never share a group; null (no community known) stays on its own. */
  community: number | string | null;
  text: string;
  /** The category the classifier or staff gave it, when known. */
  categoryId?: number | null;
}

export interface Corrections {
  /** Pairs of keys staff put together (moved into one group or issue). */
  together?: ReadonlyArray<readonly [GroupItem['key'], GroupItem['key']]>;
  /** Pairs of keys staff split apart. */
  apart?: ReadonlyArray<readonly [GroupItem['key'], GroupItem['key']]>;
}

/** How alike two suggestions must be, on average over a group, to belong in it. Chosen on the dev set; see README. */
export const SAME_PROBLEM_THRESHOLD = 0.42;

export interface Prepared {
  item: GroupItem;
  f: TextFeatures;
  /** tf-idf vector, unit length. */
  vec: Map<string, number>;
}

/** 'same' shares a concept; 'near' has a generic concept the other names specifically (灯不亮 / 路灯不亮). */
export function conceptRelation(a: string[], b: string[]): 'same' | 'near' | 'different' | 'unknown' {
  if (a.length === 0 || b.length === 0) return 'unknown';
  const bs = new Set(b);
  if (a.some((c) => bs.has(c))) return 'same';
  const family = (c: string) => (c.includes('.') ? c.slice(0, c.indexOf('.')) : c);
  const generic = (c: string) => !c.includes('.');
  for (const x of a) for (const y of b) {
    if (family(x) === family(y) && (generic(x) || generic(y))) return 'near';
  }
  return 'different';
}

export function cosine(a: Map<string, number>, b: Map<string, number>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, x] of small) { const y = large.get(k); if (y) dot += x * y; }
  return dot;
}

/** How likely two prepared items describe the same problem, 0–1 (before the community rule and corrections). */
export function pairScore(a: Prepared, b: Prepared): number {
  const text = cosine(a.vec, b.vec);
  let score: number;
  switch (conceptRelation(a.f.concepts, b.f.concepts)) {
    case 'same': score = 0.55 + 0.45 * text; break;
    case 'near': score = 0.35 + 0.65 * text; break;
    case 'different': score = 0.3 * text; break;
    default: score = text;
  }
  const ba = a.f.buildings; const bb = b.f.buildings;
  if (ba.length && bb.length) score = ba.some((x) => bb.includes(x)) ? Math.min(1, score + 0.1) : score * 0.4;
  const ca = a.item.categoryId ?? null; const cb = b.item.categoryId ?? null;
  if (ca !== null && cb !== null && ca !== cb) score *= 0.85;
  return score;
}

/**
 * A text's features depend only on the text and the options, and segmenting is what costs: open issues' texts
 * are read again for every fresh receipt and every queue view, and a copied complaint is read once. Kept per
 * segmenter and lexicon setting, up to FEATURE_CACHE_MAX texts (then started afresh).
 */
const FEATURE_CACHE_MAX = 20_000;
let cachesBySegmenter = new WeakMap<object, Map<string, Map<string, TextFeatures>>>();

/** Forgets every text's features (benchmarks measure a cold read). */
export function clearFeatureCache(): void {
  cachesBySegmenter = new WeakMap();
}
const NO_SEGMENTER = {};
function featureCache(opts: FeatureOptions): Map<string, TextFeatures> {
  const key = opts.segment ?? NO_SEGMENTER;
  let byLexicon = cachesBySegmenter.get(key);
  if (!byLexicon) cachesBySegmenter.set(key, (byLexicon = new Map()));
  const lex = opts.lexicon === false ? 'plain' : 'lexicon';
  let cache = byLexicon.get(lex);
  if (!cache) byLexicon.set(lex, (cache = new Map()));
  return cache;
}

/** Features and tf-idf vectors for a batch; idf is taken over the batch itself. */
export function prepare(items: readonly GroupItem[], opts: FeatureOptions): Prepared[] {
  const seen = featureCache(opts);
  const feats = items.map((i) => {
    let f = seen.get(i.text);
    if (!f) {
      if (seen.size >= FEATURE_CACHE_MAX) seen.clear();
      seen.set(i.text, (f = featuresOf(i.text, opts)));
    }
    return f;
  });
  const df = new Map<string, number>();
  for (const f of feats) for (const t of f.terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const n = feats.length;
  return items.map((item, i) => {
    const vec = new Map<string, number>();
    let norm = 0;
    for (const [t, w] of feats[i].terms) {
      const v = w * (Math.log((n + 1) / ((df.get(t) ?? 0) + 1)) + 1);
      vec.set(t, v);
      norm += v * v;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, v] of vec) vec.set(t, v / norm);
    return { item, f: feats[i], vec };
  });
}

const pairKey = (a: GroupItem['key'], b: GroupItem['key']) => {
  const [x, y] = [String(a), String(b)].sort();
  return `${x}\u0000${y}`;
};

/**
 * Groups the items; returns, for each item in input order, the index of its group. Groups are numbered in the
 * order of their first member.
 */
export function groupItems(prepared: readonly Prepared[], opts: { threshold?: number; corrections?: Corrections } = {}): number[] {
  const threshold = opts.threshold ?? SAME_PROBLEM_THRESHOLD;
  const together = new Set((opts.corrections?.together ?? []).map(([a, b]) => pairKey(a, b)));
  const apart = new Set((opts.corrections?.apart ?? []).map(([a, b]) => pairKey(a, b)));
  const corrected = together.size + apart.size > 0;
  const n = prepared.length;
  const cluster = prepared.map((_, i) => i); // item → cluster id
  const members = new Map<number, number[]>(prepared.map((_, i) => [i, [i]]));
  // Average linkage needs, for two clusters, the sum of their members' pair scores: kept per cluster pair and
  // added up when clusters merge, so a merge decision costs one look-up however big the clusters grow.
  const link = new Map<number, Map<number, number>>();
  const addHalf = (x: number, y: number, s: number) => {
    let m = link.get(x);
    if (!m) link.set(x, (m = new Map()));
    m.set(y, (m.get(y) ?? 0) + s);
  };
  const addLink = (a: number, b: number, s: number) => { addHalf(a, b, s); addHalf(b, a, s); };
  const banned = new Map<number, Set<number>>();
  const ban = (a: number, b: number) => {
    for (const [x, y] of [[a, b], [b, a]]) { const set = banned.get(x) ?? new Set(); set.add(y); banned.set(x, set); }
  };

  // Communities are independent problems: score the pairs inside each, through an inverted index so that only
  // pairs sharing a concept or a term are scored at all (the others score 0). A term found in very many
  // suggestions of a community weighs almost nothing, so it does not make candidates on its own.
  const byCommunity = new Map<string, number[]>();
  prepared.forEach((p, i) => {
    if (p.item.community === null) return; // no community known: on its own
    const k = String(p.item.community);
    const list = byCommunity.get(k);
    if (list) list.push(i); else byCommunity.set(k, [i]);
  });
  const edges: Array<[number, number, number]> = [];
  const mark = new Int32Array(n).fill(-1);
  for (const idx of byCommunity.values()) {
    const postings = new Map<string, number[]>();
    const post = (k: string, i: number) => { const l = postings.get(k); if (l) l.push(i); else postings.set(k, [i]); };
    for (const i of idx) {
      for (const c of prepared[i].f.concepts) post('c:' + c, i);
      for (const t of prepared[i].vec.keys()) post(t, i);
    }
    const common = Math.max(50, Math.ceil(idx.length * 0.1));
    const candidates = (i: number, visit: (j: number) => void) => {
      for (const c of prepared[i].f.concepts) for (const j of postings.get('c:' + c)!) visit(j);
      for (const t of prepared[i].vec.keys()) {
        const list = postings.get(t)!;
        if (list.length <= common) for (const j of list) visit(j);
      }
    };
    for (const i of idx) {
      candidates(i, (j) => {
        if (j <= i || mark[j] === i) return;
        mark[j] = i;
        if (corrected) {
          const key = pairKey(prepared[i].item.key, prepared[j].item.key);
          if (together.has(key) || apart.has(key)) return; // scored below
        }
        const s = pairScore(prepared[i], prepared[j]);
        if (s > 0) addLink(i, j, s);
        if (s >= threshold) edges.push([i, j, s]);
      });
    }
    // Staff corrections: together counts as a perfect score even if the texts share nothing; apart never merges.
    if (corrected) {
      for (const i of idx) for (const j of idx) {
        if (i >= j) continue;
        const key = pairKey(prepared[i].item.key, prepared[j].item.key);
        if (together.has(key)) { addLink(i, j, 1); edges.push([i, j, 1]); }
        if (apart.has(key)) ban(i, j);
      }
    }
  }

  // Average linkage, greedily from the strongest pair: two groups merge when their members are alike on
  // average, and never when staff said two of their members are apart.
  edges.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
  for (const [i, j] of edges) {
    const ci = cluster[i]; const cj = cluster[j];
    if (ci === cj || banned.get(ci)?.has(cj)) continue;
    const A = members.get(ci)!; const B = members.get(cj)!;
    if ((link.get(ci)?.get(cj) ?? 0) / (A.length * B.length) < threshold) continue;
    const [keep, drop] = A.length >= B.length ? [ci, cj] : [cj, ci];
    for (const m of members.get(drop)!) cluster[m] = keep;
    members.set(keep, [...members.get(keep)!, ...members.get(drop)!]);
    members.delete(drop);
    for (const [c, s] of link.get(drop) ?? []) {
      link.get(c)!.delete(drop);
      if (c !== keep) addLink(keep, c, s);
    }
    link.get(keep)?.delete(drop);
    link.delete(drop);
    for (const c of banned.get(drop) ?? []) { banned.get(c)!.delete(drop); if (c !== keep) ban(keep, c); }
    banned.delete(drop);
  }

  const order = new Map<number, number>();
  return cluster.map((c) => {
    if (!order.has(c)) order.set(c, order.size);
    return order.get(c)!;
  });
}

/** Items of one group and the candidates (existing issues) they may join: the best candidate above the threshold. */
export function bestCandidate(group: readonly Prepared[], candidates: ReadonlyArray<{ members: readonly Prepared[] }>, threshold = SAME_PROBLEM_THRESHOLD): { index: number; score: number } | null {
  let best: { index: number; score: number } | null = null;
  candidates.forEach((c, index) => {
    if (c.members.length === 0) return;
    if (String(c.members[0].item.community) !== String(group[0].item.community) || group[0].item.community === null) return;
    let sum = 0;
    for (const g of group) for (const m of c.members) sum += pairScore(g, m);
    const s = sum / (group.length * c.members.length);
    if (s >= threshold && (!best || s > best.score)) best = { index, score: s };
  });
  return best;
}
