import { CLASSIFIER_SETTINGS } from './classifier';
import { NaiveBayes } from './naive-bayes';
import { SEED_CORPUS } from './seed-corpus';
import { SEED_LEXICON } from './seed-lexicon';
import { SEED_WISHES } from './seed-wishes';
import { classifierFeatures } from './text-features';

/** A lexicon term weighs as much as this many seed texts: terms are short, and they are what generalizes. */
export const LEXICON_WEIGHT = 3;

/** The default categories the seed knows, in the glossary's order. */
export const SEED_CATEGORIES = Object.keys(SEED_CORPUS);

export interface SeedOptions {
  /** Leave these texts out (cross-validation). */
  exclude?: (category: string, text: string, index: number) => boolean;
  /** Extra labelled texts (e.g. the dev set, for leave-one-out figures). */
  extra?: Array<{ text: string; category: string }>;
  lexicon?: boolean;
}

/** All seed texts with their categories: complaints/suggestions and small wishes. */
export function seedTexts(): Array<{ text: string; category: string }> {
  const out: Array<{ text: string; category: string }> = [];
  for (const source of [SEED_CORPUS, SEED_WISHES]) {
    for (const [category, texts] of Object.entries(source)) for (const text of texts) out.push({ text, category });
  }
  return out;
}

/** Trains a naive Bayes model from the seed corpus and lexicon (about 20 ms). */
export function trainSeedModel(opts: SeedOptions = {}): NaiveBayes {
  const nb = new NaiveBayes({ alpha: CLASSIFIER_SETTINGS.alpha });
  seedTexts().forEach(({ text, category }, i) => {
    if (!opts.exclude?.(category, text, i)) nb.add(category, classifierFeatures(text));
  });
  for (const { text, category } of opts.extra ?? []) nb.add(category, classifierFeatures(text));
  if (opts.lexicon !== false) {
    for (const [category, terms] of Object.entries(SEED_LEXICON)) {
      for (const term of terms) nb.add(category, classifierFeatures(term), LEXICON_WEIGHT);
    }
  }
  return nb;
}

let shared: NaiveBayes | undefined;

/** The seed model, trained once per process and shared read-only by every database's classifier. */
export function seedModel(): NaiveBayes {
  shared ??= trainSeedModel();
  return shared;
}
