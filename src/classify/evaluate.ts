import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { PROJECT_ROOT } from '../paths';
import { Classifier } from './classifier';
import { SEED_CATEGORIES, seedModel, seedTexts, trainSeedModel } from './default-model';

/** Measuring the classifier honestly: on texts it did not train on. Used by the bench and the accuracy test. */

export interface Labelled { text: string; category: string }

/** The shared development set: ../shared/data/suggestions-dev.csv next to the project (absent on some machines). */
export const DEV_SET_FILE = path.resolve(PROJECT_ROOT, '..', 'shared', 'data', 'suggestions-dev.csv');

export function readLabelled(file: string): Labelled[] {
  const rows = parse(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  return rows.filter((r) => r.text && r.category).map((r) => ({ text: r.text, category: r.category }));
}

export interface Score { accuracy: number; correct: number; total: number; errors: Array<Labelled & { predicted: string }> }

export function score(predict: (text: string) => string, rows: Labelled[]): Score {
  const errors: Score['errors'] = [];
  for (const r of rows) {
    const predicted = predict(r.text);
    if (predicted !== r.category) errors.push({ ...r, predicted });
  }
  return { accuracy: rows.length ? (rows.length - errors.length) / rows.length : 0, correct: rows.length - errors.length, total: rows.length, errors };
}

const categoriesOf = (rows: Labelled[]) => [...new Set([...SEED_CATEGORIES, ...rows.map((r) => r.category)])];

/** The model the app starts with (seed corpus + lexicon, no corrections), never trained on `rows`. */
export function seedOnlyAccuracy(rows: Labelled[]): Score {
  const model = new Classifier(seedModel());
  const cats = categoriesOf(rows);
  return score((t) => model.predict(t, cats)[0].category, rows);
}

/**
 * k-fold cross-validation over the seed corpus itself: how well it generalizes to texts written apart. Also
 * reports, for a confidence threshold, the share of texts filed without triage and how many of those are right.
 */
export function seedCrossValidation(k = 10, threshold = 0.5): Score & { autoFiled: number; autoFiledAccuracy: number } {
  const all = seedTexts();
  const errors: Score['errors'] = [];
  let auto = 0;
  let autoRight = 0;
  for (let fold = 0; fold < k; fold++) {
    const model = new Classifier(trainSeedModel({ exclude: (_c, _t, i) => i % k === fold }));
    all.forEach((r, i) => {
      if (i % k !== fold) return;
      const top = model.predict(r.text, SEED_CATEGORIES)[0];
      if (top.category !== r.category) errors.push({ ...r, predicted: top.category });
      if (top.confidence >= threshold) { auto++; if (top.category === r.category) autoRight++; }
    });
  }
  return {
    accuracy: (all.length - errors.length) / all.length, correct: all.length - errors.length, total: all.length, errors,
    autoFiled: auto / all.length, autoFiledAccuracy: auto ? autoRight / auto : 0,
  };
}

/**
 * Leave-one-out with the other labelled rows taught as staff corrections: what the app reaches after staff
 * have filed texts like these. Each text is predicted by a model that never saw it.
 */
export function leaveOneOutWithCorrections(rows: Labelled[]): Score {
  const model = new Classifier(seedModel());
  const cats = categoriesOf(rows);
  rows.forEach((r, i) => model.learn(r.text, r.category, `r${i}`));
  return score((text) => {
    const i = rows.findIndex((r) => r.text === text);
    model.forget(`r${i}`);
    const predicted = model.predict(text, cats)[0].category;
    model.learn(rows[i].text, rows[i].category, `r${i}`);
    return predicted;
  }, rows);
}
