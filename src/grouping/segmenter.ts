import { CONCEPTS } from './lexicon';
import type { Segmenter } from './features';

let cached: Segmenter | undefined;

/**
 * Chinese word segmentation by jieba (@node-rs/jieba: the dictionary ships inside the npm package, nothing is
 * downloaded). Loaded on first use, about 0.3 s, so start-up does not pay for it.
 */
export function jiebaSegmenter(): Segmenter {
  if (cached) return cached;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { dict } = require('@node-rs/jieba/dict') as { dict: Buffer };
  const jieba = Jieba.withDict(dict);
  // The lexicon's plain words (no pattern syntax) as dictionary entries, so 助餐点 or 飞线 stay one word.
  const words = new Set<string>();
  for (const [, pattern] of CONCEPTS) for (const w of pattern.split('|')) if (/^[\p{Script=Han}]{2,6}$/u.test(w)) words.add(w);
  jieba.loadDict(Buffer.from([...words].map((w) => `${w} 2000 n`).join('\n'), 'utf8'));
  cached = (text: string) => jieba.cut(text, false);
  return cached;
}
