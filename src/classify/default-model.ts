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
  for (const _ of trainingSteps(nb, opts)) { /* all at once */ }
  return nb;
}

/** Feeds the seed into `nb`, pausing (yield) every `STEP` documents so a caller may let other work run between. */
function* trainingSteps(nb: NaiveBayes, opts: SeedOptions = {}): Generator<void, void, void> {
  let n = 0;
  for (const [i, { text, category }] of seedTexts().entries()) {
    if (!opts.exclude?.(category, text, i)) nb.add(category, classifierFeatures(text));
    if (++n % STEP === 0) yield;
  }
  for (const { text, category } of opts.extra ?? []) nb.add(category, classifierFeatures(text));
  if (opts.lexicon !== false) {
    for (const [category, terms] of Object.entries(SEED_LEXICON)) {
      for (const term of terms) {
        nb.add(category, classifierFeatures(term), LEXICON_WEIGHT);
        if (++n % STEP === 0) yield;
      }
    }
  }
}
const STEP = 100;

let shared: NaiveBayes | undefined;
let training: { nb: NaiveBayes; steps: Generator<void, void, void> } | undefined;

/** The seed model, trained once per process and shared read-only by every database's classifier. */
export function seedModel(): NaiveBayes {
  if (!shared) {
    // A warm-up under way is finished here rather than started over.
    training ??= startTraining();
    for (const _ of training.steps) { /* the rest at once */ }
    shared = training.nb;
  }
  return shared;
}

/**
 * Trains the seed model in slices of a few milliseconds, letting requests in between, so a server can be ready
 * before the model is (training at once costs 0.2–0.5 s on the event loop, measured with --cpu-prof at start-up).
 * A classification needed before it is done finishes the training then (seedModel()).
 */
export async function warmSeedModel(): Promise<void> {
  if (shared) return;
  training ??= startTraining();
  const { nb, steps } = training;
  while (!shared) {
    if (steps.next().done) { shared = nb; break; }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function startTraining() {
  const nb = new NaiveBayes({ alpha: CLASSIFIER_SETTINGS.alpha });
  return { nb, steps: trainingSteps(nb) };
}
