import fs from 'node:fs';
import { DEV_SET_FILE, readLabelled, seedOnlyAccuracy } from '../../src/classify/evaluate';

// The bar from issue 4: at least 85% on texts the model has not seen. The model here is the one every new
// database starts with (seed corpus + lexicon); it never trained on the dev set, so this figure is honest.
const haveDevSet = fs.existsSync(DEV_SET_FILE);
if (!haveDevSet) console.warn(`Skipping the dev-set accuracy test: ${DEV_SET_FILE} not found (it lives in ../shared/data).`);

(haveDevSet ? describe : describe.skip)('categorization accuracy on ../shared/data/suggestions-dev.csv', () => {
  it('is at least 85% with the default model, which never saw these texts', () => {
    const rows = readLabelled(DEV_SET_FILE);
    expect(rows.length).toBeGreaterThan(50);
    const score = seedOnlyAccuracy(rows);
    if (score.accuracy < 0.85) console.error(score.errors);
    expect(score.accuracy).toBeGreaterThanOrEqual(0.85);
  });
});
