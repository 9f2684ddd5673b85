/**
 * Multinomial naive Bayes over weighted features, with incremental training: adding or removing one document
 * only touches the counts of its own features, so a staff correction takes effect at once without retraining.
 * A model may sit on top of a read-only parent (the seed model shared by the whole process): counts add up,
 * and the parent is never changed.
 */
export interface NaiveBayesOptions {
  /** Additive (Laplace) smoothing per feature. */
  alpha: number;
}

export class NaiveBayes {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly totals = new Map<string, number>();
  private readonly vocabulary = new Map<string, number>();

  constructor(
    readonly options: NaiveBayesOptions = { alpha: 0.1 },
    private readonly parent?: NaiveBayes,
  ) {}

  /** Adds (weight > 0) or removes (weight < 0) a document's features to a class. */
  add(cls: string, features: Map<string, number>, weight = 1): void {
    let c = this.counts.get(cls);
    if (!c) this.counts.set(cls, (c = new Map()));
    let total = 0;
    for (const [f, x] of features) {
      const dx = x * weight;
      const next = (c.get(f) ?? 0) + dx;
      if (Math.abs(next) < 1e-9) c.delete(f); else c.set(f, next);
      const v = (this.vocabulary.get(f) ?? 0) + dx;
      if (Math.abs(v) < 1e-9) this.vocabulary.delete(f); else this.vocabulary.set(f, v);
      total += dx;
    }
    this.totals.set(cls, Math.max(0, (this.totals.get(cls) ?? 0) + total));
  }

  /** Total training weight of a class (its own plus the parent's). */
  mass(cls: string): number {
    return (this.totals.get(cls) ?? 0) + (this.parent?.mass(cls) ?? 0);
  }

  count(cls: string, feature: string): number {
    return (this.counts.get(cls)?.get(feature) ?? 0) + (this.parent?.count(cls, feature) ?? 0);
  }

  vocabularySize(): number {
    // Features new to the child are few; counting them exactly would cost a scan, and smoothing does not need it.
    return Math.max(this.vocabulary.size + (this.parent?.vocabularySize() ?? 0), 1);
  }

  /** Log-likelihood of the features under each class (uniform prior: the seed's class sizes mean nothing). */
  logScores(features: Map<string, number>, classes: string[]): number[] {
    const a = this.options.alpha;
    const av = a * this.vocabularySize();
    return classes.map((cls) => {
      const denom = Math.log(this.mass(cls) + av);
      let s = 0;
      for (const [f, x] of features) s += x * (Math.log(this.count(cls, f) + a) - denom);
      return s;
    });
  }
}
