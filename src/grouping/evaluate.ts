/**
 * Pairwise precision, recall and F1 of a grouping against labels: every pair of items is a yes (same group)
 * or a no, in the truth and in the prediction. Pairs across communities count too (they are all true noes).
 */
export interface PairwiseScore { precision: number; recall: number; f1: number; truePairs: number; predictedPairs: number; correctPairs: number }

export function pairwiseF1(truth: readonly (string | number)[], predicted: readonly (string | number)[]): PairwiseScore {
  if (truth.length !== predicted.length) throw new Error('truth and prediction differ in length');
  let tp = 0; let t = 0; let p = 0;
  for (let i = 0; i < truth.length; i++) {
    for (let j = i + 1; j < truth.length; j++) {
      const sameT = truth[i] === truth[j];
      const sameP = predicted[i] === predicted[j];
      if (sameT) t++;
      if (sameP) p++;
      if (sameT && sameP) tp++;
    }
  }
  const precision = p === 0 ? 1 : tp / p;
  const recall = t === 0 ? 1 : tp / t;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePairs: t, predictedPairs: p, correctPairs: tp };
}

/** Reads `group<TAB>community<TAB>text` lines (with or without the header). */
export function readLabelled(tsv: string): Array<{ group: string; community: string; text: string }> {
  return tsv.split(/\r?\n/).map((l) => l.split('\t')).filter((f) => f.length >= 3 && f[0] !== 'group')
    .map(([group, community, ...rest]) => ({ group: group.trim(), community: community.trim(), text: rest.join(' ').trim() }));
}
