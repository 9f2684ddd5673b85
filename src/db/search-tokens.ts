/**
 * Words for the search index. Chinese has no spaces, and residents' words are often two characters (电梯, 路灯),
 * which a trigram index cannot find: so every run of Chinese characters is indexed as its overlapping bigrams
 * ("电梯坏了" → 电梯 梯坏 坏了) and found as a phrase of them. Letters and digits are kept as words.
 * The same function fills the index (registered in SQLite by src/db/functions.ts) and reads the query. In the data
 * layer because the schema depends on it: the index's triggers (migration 051) call it on every write.
 */
const RUNS = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /^\p{Script=Han}/u;

function runTokens(run: string): string[] {
  if (!HAN.test(run)) return [run];
  const chars = Array.from(run);
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/** The index's text for a piece of text: space-separated tokens. */
export function searchTokens(text: string | null | undefined): string {
  if (!text) return '';
  const out: string[] = [];
  for (const run of text.normalize('NFKC').toLowerCase().match(RUNS) ?? []) out.push(...runTokens(run));
  return out.join(' ');
}

/**
 * What staff typed, as the phrases a match must all contain: every space-separated term, as the phrase of its
 * tokens (space-separated). Null when nothing searchable is left (punctuation only, or a single Chinese character).
 */
export function matchPhrases(typed: string): string[] | null {
  const phrases: string[] = [];
  for (const term of typed.normalize('NFKC').toLowerCase().split(/\s+/)) {
    const tokens = (term.match(RUNS) ?? []).flatMap(runTokens);
    if (tokens.length === 0) continue;
    if (tokens.length === 1 && HAN.test(tokens[0]) && Array.from(tokens[0]).length === 1) continue;
    phrases.push(tokens.join(' '));
  }
  return phrases.length ? phrases : null;
}

/** The FTS5 query of phrases (tokens are letters and digits only, so a phrase never holds a quote). */
export const ftsQuery = (phrases: readonly string[]): string => phrases.map((p) => `"${p}"`).join(' AND ');

/** An FTS5 query for what staff typed (see matchPhrases), or null when nothing searchable is left. */
export function matchQuery(typed: string): string | null {
  const phrases = matchPhrases(typed);
  return phrases ? ftsQuery(phrases) : null;
}
