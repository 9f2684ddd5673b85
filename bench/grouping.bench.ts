import fs from 'node:fs';
import path from 'node:path';
import type { Benchmark, Figure } from './run';
import { seedTexts } from '../src/classify/default-model';
import { SAME_PROBLEM_THRESHOLD, clearFeatureCache, groupItems, prepare } from '../src/grouping/engine';
import { pairwiseF1, readLabelled } from '../src/grouping/evaluate';
import type { FeatureOptions } from '../src/grouping/features';
import { jiebaSegmenter } from '../src/grouping/segmenter';
import { PROJECT_ROOT } from '../src/paths';

const DEV_FILE = path.join(PROJECT_ROOT, '..', 'shared', 'data', 'grouping-dev.tsv');
const OWN_DIR = path.join(PROJECT_ROOT, 'test', 'grouping', 'fixtures');
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function score(file: string, opts: FeatureOptions, threshold?: number) {
  const rows = readLabelled(fs.readFileSync(file, 'utf8'));
  const g = groupItems(prepare(rows.map((r, i) => ({ key: i, community: r.community, text: r.text })), opts), { threshold });
  return { ...pairwiseF1(rows.map((r) => r.group), g), n: rows.length };
}

/** 5,000 suggestions over 15 communities, from the classifier's seed texts with some of the ways residents add to them. */
function fiveThousand() {
  const texts = seedTexts().map((t) => t.text);
  const tails = ['', '，希望尽快解决', '，已经反映好几次了', '，谢谢社区'];
  return Array.from({ length: 5000 }, (_, i) => ({
    key: i, community: `社区${i % 15}`, text: texts[(i * 7919) % texts.length] + tails[i % tails.length],
  }));
}

function bestDevThreshold(opts: FeatureOptions): number {
  if (!fs.existsSync(DEV_FILE)) return SAME_PROBLEM_THRESHOLD;
  let best = { t: SAME_PROBLEM_THRESHOLD, f1: -1 };
  for (let t = 0.05; t <= 0.6; t += 0.025) {
    const f1 = score(DEV_FILE, opts, t).f1;
    if (f1 > best.f1) best = { t: round(t, 3), f1 };
  }
  return best.t;
}

export const benchmark: Benchmark = {
  name: 'grouping',
  async run(): Promise<Figure[]> {
    const figures: Figure[] = [];
    const t0 = performance.now();
    const segment = jiebaSegmenter();
    const loadMs = performance.now() - t0;
    const full: FeatureOptions = { segment, lexicon: true };

    if (fs.existsSync(DEV_FILE)) {
      const dev = score(DEV_FILE, full);
      figures.push({
        name: 'grouping_f1_dev', value: round(dev.f1), unit: 'pairwise F1', goal: '>= 0.8', pass: dev.f1 >= 0.8,
        precision: round(dev.precision), recall: round(dev.recall), suggestions: dev.n,
      });
    }
    // Our own labelled sets (test/grouping/fixtures/README.md) and what each part of the engine adds.
    const own = fs.readdirSync(OWN_DIR).filter((f) => f.endsWith('.tsv')).sort().map((f) => path.join(OWN_DIR, f));
    const variants: Array<[string, FeatureOptions]> = [
      ['bigrams only (the old way)', { segment: null, lexicon: false }],
      ['jieba words + bigrams', { segment, lexicon: false }],
      ['bigrams + concept lexicon', { segment: null, lexicon: true }],
      ['jieba + concept lexicon (used)', full],
    ];
    for (const [label, opts] of variants) {
      // Each variant at its own best threshold on the dev set, so none is judged at another's setting.
      const threshold = opts.lexicon ? SAME_PROBLEM_THRESHOLD : bestDevThreshold(opts);
      const scores = own.map((f) => score(f, opts, threshold));
      figures.push({
        name: 'grouping_f1_own_sets', value: round(scores.reduce((a, s) => a + s.f1, 0) / scores.length), unit: 'mean pairwise F1',
        variant: label, threshold, dev: fs.existsSync(DEV_FILE) ? round(score(DEV_FILE, opts, threshold).f1) : null,
        perSet: Object.fromEntries(own.map((f, i) => [path.basename(f, '.tsv'), round(scores[i].f1)])),
      });
    }

    const items = fiveThousand();
    groupItems(prepare(items.slice(0, 500), full)); // warm up the JIT
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      clearFeatureCache(); // each run reads every text afresh, as a first view of a new queue would
      const s = performance.now();
      groupItems(prepare(items, full));
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    figures.push({
      name: 'grouping_5000_ms', value: round(times[1], 0), unit: 'ms', goal: '< 2000', pass: times[1] < 2000,
      runs: times.map((t) => round(t, 0)), segmenterLoadMs: round(loadMs, 0), communities: 15,
      note: 'median of 3; the segmenter is loaded once per process, on first use',
    });
    return figures;
  },
};
