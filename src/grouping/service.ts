import { groupItems, prepare, type Corrections, type GroupItem } from './engine';
import type { FeatureOptions } from './features';
import { jiebaSegmenter } from './segmenter';

/** The categorizer's guess for a text, when the caller has none (the CLI). */
export type CategoryGuess = (text: string) => number | null;

/**
 * Grouping as the rest of the app uses it: words by jieba, the concept lexicon, and the categories the classifier
 * gave. `group` returns for each item its group number (1, 2, … in the order of first appearance).
 */
export function createGrouping(opts: { features?: Partial<FeatureOptions>; segmenter?: () => FeatureOptions['segment'] } = {}) {
  const features = (): FeatureOptions => ({
    segment: opts.features?.segment !== undefined ? opts.features.segment : (opts.segmenter ?? jiebaSegmenter)(),
    lexicon: opts.features?.lexicon ?? true,
  });
  return {
    features,
    group(items: readonly GroupItem[], corrections?: Corrections): number[] {
      return groupItems(prepare(items, features()), { corrections }).map((g) => g + 1);
    },
  };
}
export type Grouping = ReturnType<typeof createGrouping>;
