import { NaiveBayes } from './naive-bayes';
import { bigramSet, classifierFeatures, dice } from './text-features';

export interface Suggestion {
  /** Category name (the model's classes are category names). */
  category: string;
  /** Probability-like score in [0, 1]; suggestions of one text add up to at most 1. */
  confidence: number;
}

/** Tunables, chosen by cross-validation on the seed corpus (see bench/classify.bench.ts). */
export const CLASSIFIER_SETTINGS = {
  /** Additive smoothing of the naive Bayes counts. */
  alpha: 0.6,
  /** A staff correction counts as this many seed texts. */
  correctionWeight: 3,
  /** Softmax temperature per √(feature weight): makes the naive Bayes posterior roughly calibrated. */
  temperature: 0.6,
  /** Very short texts ("无", "123") carry little evidence: they are scored as if this long, so they stay unsure. */
  minEvidence: 16,
  /** A class takes part in naive Bayes only with at least this much training weight (≈ 8 texts). */
  minClassMass: 200,
  /** A corrected text this similar (Dice over character bigrams) or more pulls a new text to its category. */
  memoryMinSimilarity: 0.5,
};

interface Remembered { id: number; category: string; grams: Set<string> }

/**
 * Staff corrections remembered verbatim. A new text that nearly repeats a corrected one (the same broken lift
 * reported by twenty residents) follows the correction even when the statistics still disagree, and a
 * category staff added themselves (no seed texts) is learned from its corrections this way.
 */
class CorrectionMemory {
  private readonly entries = new Map<number, Remembered>();
  private readonly index = new Map<string, Set<number>>();
  private nextId = 1;

  add(text: string, category: string): number {
    const id = this.nextId++;
    const grams = bigramSet(text);
    this.entries.set(id, { id, category, grams });
    for (const g of grams) {
      let s = this.index.get(g);
      if (!s) this.index.set(g, (s = new Set()));
      s.add(id);
    }
    return id;
  }

  remove(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    for (const g of e.grams) this.index.get(g)?.delete(id);
  }

  /** Votes per category from remembered texts at least `min` similar, and the best similarity seen. */
  vote(text: string, min: number): { best: number; votes: Map<string, number> } {
    const grams = bigramSet(text);
    const shared = new Map<number, number>();
    for (const g of grams) for (const id of this.index.get(g) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
    const votes = new Map<string, number>();
    let best = 0;
    for (const [id, common] of shared) {
      const e = this.entries.get(id)!;
      const sim = (2 * common) / (grams.size + e.grams.size);
      if (sim < min) continue;
      best = Math.max(best, sim);
      votes.set(e.category, (votes.get(e.category) ?? 0) + sim);
    }
    return { best, votes };
  }

  get size(): number { return this.entries.size; }
}

/**
 * The categorizer: naive Bayes over character n-grams (seed corpus + lexicon, shared read-only by the whole
 * process) plus this database's staff corrections, learned incrementally on top.
 */
export class Classifier {
  private readonly nb: NaiveBayes;
  private readonly memory = new CorrectionMemory();
  private readonly learned = new Map<string, { memoryId: number; text: string; category: string }>();

  constructor(seed: NaiveBayes, private readonly settings = CLASSIFIER_SETTINGS) {
    this.nb = new NaiveBayes({ alpha: settings.alpha }, seed);
  }

  /**
   * Learns that `text` belongs to `category`. With a key (e.g. the submission id), learning the same key again
   * replaces the earlier lesson, so re-correcting a submission does not count twice.
   */
  learn(text: string, category: string, key?: string): void {
    if (key !== undefined) this.forget(key);
    this.nb.add(category, classifierFeatures(text), this.settings.correctionWeight);
    const memoryId = this.memory.add(text, category);
    if (key !== undefined) this.learned.set(key, { memoryId, text, category });
  }

  forget(key: string): void {
    const old = this.learned.get(key);
    if (!old) return;
    this.nb.add(old.category, classifierFeatures(old.text), -this.settings.correctionWeight);
    this.memory.remove(old.memoryId);
    this.learned.delete(key);
  }

  get correctionCount(): number { return this.memory.size; }

  /** Whether the model knows anything about a category (seed texts or corrections). */
  knows(category: string): boolean {
    return this.nb.mass(category) > 0;
  }

  /** Ranks the candidate categories for a text, most likely first. Unknown categories get confidence 0. */
  predict(text: string, candidates: readonly string[]): Suggestion[] {
    const { temperature, minEvidence, minClassMass, memoryMinSimilarity } = this.settings;
    const features = classifierFeatures(text);
    const probs = new Map<string, number>(candidates.map((c) => [c, 0]));

    const trained = candidates.filter((c) => this.nb.mass(c) >= minClassMass);
    if (trained.length > 0 && features.size > 0) {
      const scores = this.nb.logScores(features, trained);
      let weight = 0;
      for (const x of features.values()) weight += x;
      const t = temperature * Math.sqrt(Math.max(weight, minEvidence));
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp((s - max) / t));
      const sum = exps.reduce((a, b) => a + b, 0);
      trained.forEach((c, i) => probs.set(c, exps[i] / sum));
    }

    const { best, votes } = this.memory.vote(text, memoryMinSimilarity);
    let voteSum = 0;
    for (const [c, v] of votes) if (probs.has(c)) voteSum += v;
    if (voteSum > 0) {
      // Blend towards the corrections in proportion to how closely the text repeats them; a text with no
      // trained candidate at all takes the corrections' view entirely.
      const lambda = trained.length > 0 ? best : 1;
      for (const [c, p] of probs) probs.set(c, (1 - lambda) * p + lambda * ((votes.get(c) ?? 0) / voteSum));
    }

    return [...probs].map(([category, confidence]) => ({ category, confidence }))
      .sort((a, b) => b.confidence - a.confidence);
  }
}
