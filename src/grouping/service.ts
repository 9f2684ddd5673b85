import path from 'node:path';
import { createWorker } from '../lib/worker';
import { groupItems, prepare, type Corrections, type GroupItem } from './engine';
import type { FeatureOptions } from './features';
import { propose, rankIssues, type ProposeInput, type ProposedGroup } from './propose';
import { jiebaSegmenter } from './segmenter';

/** Above this many suggestions the queue is grouped in a worker thread (measured: ~0.3 s at 1,000 on this machine). */
export const INLINE_LIMIT = 400;

/** The worker's entry point: the engine with the app's features. */
export function proposeWithDefaults(input: ProposeInput): ProposedGroup[] {
  return propose(input, { segment: jiebaSegmenter(), lexicon: true });
}

/**
 * Grouping as the rest of the app uses it: words by jieba and the concept lexicon. `group` returns for each item
 * its group number (1, 2, … in order of first appearance); `propose` groups a triage queue and matches its groups
 * to open issues, off the event loop when the queue is big.
 */
export function createGrouping(opts: { features?: Partial<FeatureOptions>; inlineLimit?: number } = {}) {
  const features = (): FeatureOptions => ({
    segment: opts.features?.segment !== undefined ? opts.features.segment : jiebaSegmenter(),
    lexicon: opts.features?.lexicon ?? true,
  });
  const worker = createWorker<ProposeInput, ProposedGroup[]>(path.join(__dirname, 'service'), 'proposeWithDefaults');
  const inlineLimit = opts.inlineLimit ?? INLINE_LIMIT;
  return {
    group(items: readonly GroupItem[], corrections?: Corrections): number[] {
      return groupItems(prepare(items, features()), { corrections }).map((g) => g + 1);
    },
    /** The same, here and now: for the command line and the demo, which have no residents waiting. */
    proposeNow: (input: ProposeInput): ProposedGroup[] => propose(input, features()),
    async propose(input: ProposeInput): Promise<ProposedGroup[]> {
      const size = input.items.length + input.issues.reduce((n, i) => n + i.texts.length, 0);
      return size <= inlineLimit || opts.features ? propose(input, features()) : worker.run(input);
    },
    /** Open issues like the given texts, best first (a handful of issues: inline). */
    rankIssues: (input: Parameters<typeof rankIssues>[0]) => rankIssues(input, features()),
    stop: () => worker.stop(),
  };
}
export type Grouping = ReturnType<typeof createGrouping>;
