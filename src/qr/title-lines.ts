import { jiebaSegmenter } from '../grouping/segmenter';

/** Characters a line may not start with (closing punctuation) or end with (opening punctuation). */
const CLOSING = /^[，。、；：？！”’）》」』】〉…—·,.;:?!)\]}%\s]+$/u;
const OPENING = /^[“‘（《「『【〈(\[{]+$/u;
const OPENS = '“‘（《「『【〈([{';
const CLOSES = '”’）》」』】〉)]}';
/** A quotation up to this long stays on one line: “一老一小”. */
const QUOTE_MAX = 10;
/** One-character words that end a phrase (设施的, 2026年, 3号楼); other lone characters start one (微心愿). */
const SUFFIX = '的之地得了们等年月日号期轮届次版楼栋院区里';
/** The first and the last piece are at least this long, so neither line end holds a lone word like 意见. */
const EDGE_MIN = 3;

const length = (s: string) => [...s.replace(/\s/g, '')].length;

/**
 * A poster title cut into the pieces a line may break between, never inside: whole words (jieba), punctuation
 * kept with its word, a number with its unit (2026年), a short quotation whole, a one-character word with the
 * word before it, and the first and last pieces at least 3 characters. So "永安社区楼院环境整治意见征集" may wrap
 * as "永安社区楼院环境 / 整治意见征集" but never leaves 意见 or 征集 alone on a line. The poster view puts each
 * piece in a no-break span with <wbr> between and balances the lines (text-wrap: balance).
 */
export function titleChunks(title: string, segment: (text: string) => string[] = jiebaSegmenter()): string[] {
  // Words with punctuation attached: an opening mark joins the word after it, a closing one the word before.
  const words: string[] = [];
  let opening = '';
  for (const w of segment(title.trim())) {
    if (OPENING.test(w)) { opening += w; continue; }
    if (CLOSING.test(w) && words.length && !opening) { words[words.length - 1] += w; continue; }
    words.push(opening + w);
    opening = '';
  }
  if (opening) words.length ? (words[words.length - 1] += opening) : words.push(opening);

  // Pieces: a quotation stays whole; a lone character joins the word it belongs to (的, 年 go back, 微 goes on).
  const units: string[] = [];
  let carry = '';
  const last = () => units[units.length - 1];
  for (const w of words) {
    const word = carry + w;
    carry = '';
    const single = length(w) === 1 && /\p{Script=Han}/u.test(w);
    if (units.length && (openQuote(last(), QUOTE_MAX) || (single && SUFFIX.includes(w)) || (/\d$/.test(last()) && single))) {
      units[units.length - 1] += word;
    } else if (single && !SUFFIX.includes(w)) {
      carry = word;
    } else {
      units.push(word);
    }
  }
  if (carry) units.length ? (units[units.length - 1] += carry) : units.push(carry);
  while (units.length > 1 && length(units[0]) < EDGE_MIN) units.splice(0, 2, units[0] + units[1]);
  while (units.length > 1 && length(last()) < EDGE_MIN) units.splice(-2, 2, units[units.length - 2] + last());
  return units;
}

/** Whether a piece opened a quotation or bracket it has not closed yet, and is still short enough to grow. */
function openQuote(piece: string, max: number): boolean {
  let depth = 0;
  for (const ch of piece) {
    if (OPENS.includes(ch)) depth++;
    else if (CLOSES.includes(ch) && depth > 0) depth--;
  }
  return depth > 0 && length(piece) < max;
}
