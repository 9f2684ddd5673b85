/**
 * Multinomial naive Bayes over weighted features, with incremental training: adding or removing one document
 * only touches the counts of its own features, so a staff correction takes effect at once without retraining.
 * A model may sit on top of a read-only parent (the seed model shared by the whole process): counts add up,
 * and the parent is never changed.
 *
 * Counts are stored feature-major (feature → one number per class), so scoring a text costs one map lookup
 * per feature and model, not one per feature and class.
 */
export interface NaiveBayesOptions {
  /** Additive (Laplace) smoothing per feature. */
  alpha: number;
}

export class NaiveBayes {
  private readonly classIndex = new Map<string, number>();
  // Plain arrays, not typed arrays: tens of thousands of tiny rows, and typed arrays are costly to allocate.
  private readonly counts = new Map<string, number[]>();
  private totals = new Float64Array(4);

  constructor(
    readonly options: NaiveBayesOptions = { alpha: 0.1 },
    private readonly parent?: NaiveBayes,
  ) {}

  private indexOf(cls: string): number {
    let i = this.classIndex.get(cls);
    if (i === undefined) {
      i = this.classIndex.size;
      this.classIndex.set(cls, i);
      if (i >= this.totals.length) {
        const grown = new Float64Array(this.totals.length * 2);
        grown.set(this.totals);
        this.totals = grown;
      }
    }
    return i;
  }

  /** Adds (weight > 0) or removes (weight < 0) a document's features to a class. */
  add(cls: string, features: Map<string, number>, weight = 1): void {
    const ci = this.indexOf(cls);
    for (const [f, x] of features) {
      let row = this.counts.get(f);
      if (!row) this.counts.set(f, (row = []));
      while (row.length <= ci) row.push(0);
      const next = row[ci] + x * weight;
      row[ci] = Math.abs(next) < 1e-9 ? 0 : next;
      this.totals[ci] = Math.max(0, this.totals[ci] + x * weight);
    }
  }

  /** Total training weight of a class (its own plus the parent's). */
  mass(cls: string): number {
    const i = this.classIndex.get(cls);
    return (i === undefined ? 0 : this.totals[i]) + (this.parent?.mass(cls) ?? 0);
  }

  count(cls: string, feature: string): number {
    const i = this.classIndex.get(cls);
    const own = i === undefined ? 0 : this.counts.get(feature)?.[i] ?? 0;
    return own + (this.parent?.count(cls, feature) ?? 0);
  }

  /** Distinct features seen by this model and its parent (features new to the child are counted once more at worst). */
  vocabularySize(): number {
    return Math.max(this.counts.size + (this.parent?.vocabularySize() ?? 0), 1);
  }

  /** Log-likelihood of the features under each class (uniform prior: the seed's class sizes mean nothing). */
  logScores(features: Map<string, number>, classes: string[]): number[] {
    const a = this.options.alpha;
    const av = a * this.vocabularySize();
    const models: NaiveBayes[] = [];
    for (let m: NaiveBayes | undefined = this; m; m = m.parent) models.push(m);
    const idx = models.map((m) => classes.map((c) => m.classIndex.get(c) ?? -1));
    const scores = classes.map((c) => -Math.log(this.mass(c) + av) * sumOf(features));
    for (const [f, x] of features) {
      const rows = models.map((m) => m.counts.get(f));
      for (let k = 0; k < classes.length; k++) {
        let n = 0;
        for (let m = 0; m < models.length; m++) {
          const row = rows[m];
          const i = idx[m][k];
          if (row && i >= 0 && i < row.length) n += row[i];
        }
        scores[k] += x * Math.log(n + a);
      }
    }
    return scores;
  }
}

function sumOf(features: Map<string, number>): number {
  let s = 0;
  for (const x of features.values()) s += x;
  return s;
}
