import { sqliteEngine } from '../../src/db/engine';
import { Classifier } from '../../src/classify/classifier';
import { SEED_CATEGORIES, seedModel } from '../../src/classify/default-model';
import { NaiveBayes } from '../../src/classify/naive-bayes';
import { createClassifyRepo } from '../../src/classify/repo';
import { CORRECTIONS_CHECK_MS, TRIAGE_THRESHOLD, createClassifyService } from '../../src/classify/service';
import { bigramSet, classifierFeatures, clauses, dice, ngrams, normalizeText } from '../../src/classify/text-features';
import { openDb } from '../../src/db/open-db';
import { createSubmissionRepo } from '../../src/submissions/repo';
import { createSubmissionService } from '../../src/submissions/service';
import { categoryId, key, makeClassifyCampaign, classifyServiceOn } from '../helpers/classify-factories';

describe('character n-gram features', () => {
  it('splits clauses at punctuation and makes 1–3-grams inside each', () => {
    expect(clauses('电梯坏了，困人！Help 3号楼')).toEqual(['电梯坏了', '困人', 'help', '0号楼']);
    const g = ngrams('楼道杂物');
    expect([...g.keys()].sort()).toEqual(['杂', '杂物', '楼', '楼道', '楼道杂', '物', '道', '道杂', '道杂物'].sort());
    // No n-gram spans a comma.
    expect(ngrams('灯坏，楼道').has('坏楼')).toBe(false);
  });

  it('normalizes full-width characters and numbers so 3号楼 and １２号楼 share features', () => {
    expect(normalizeText('１２号楼ＡＢ')).toBe('0号楼ab');
    expect(ngrams('3号楼').get('0号楼')).toBe(1);
    expect(ngrams('12号楼').get('0号楼')).toBe(1);
  });

  it('weighs each n-gram once, trigrams at half weight', () => {
    const f = classifierFeatures('漏水漏水');
    expect(f.get('漏水')).toBe(1);
    expect(f.get('漏水漏')).toBe(0.5);
    expect(classifierFeatures('，。！').size).toBe(0);
  });

  it('measures near-duplicates with Dice over bigrams', () => {
    expect(dice(bigramSet('电梯坏了'), bigramSet('电梯坏了'))).toBe(1);
    expect(dice(bigramSet('电梯坏了'), bigramSet('路灯不亮'))).toBe(0);
    expect(dice(bigramSet(''), bigramSet('路灯'))).toBe(0);
  });
});

describe('naive Bayes', () => {
  it('learns incrementally and forgets exactly what it learned', () => {
    const nb = new NaiveBayes({ alpha: 0.5 });
    nb.add('a', new Map([['x', 1]]));
    nb.add('b', new Map([['y', 1]]));
    const [a, b] = nb.logScores(new Map([['x', 1]]), ['a', 'b']);
    expect(a).toBeGreaterThan(b);
    nb.add('a', new Map([['x', 1]]), -1);
    expect(nb.mass('a')).toBe(0);
    expect(nb.count('a', 'x')).toBe(0);
  });

  it('adds its counts to a read-only parent without changing it', () => {
    const parent = new NaiveBayes({ alpha: 0.5 });
    parent.add('a', new Map([['x', 2]]));
    const child = new NaiveBayes({ alpha: 0.5 }, parent);
    child.add('a', new Map([['x', 1]]));
    expect(child.count('a', 'x')).toBe(3);
    expect(parent.count('a', 'x')).toBe(2);
  });
});

describe('the seed classifier', () => {
  const model = new Classifier(seedModel());
  const top = (text: string, cats: readonly string[] = SEED_CATEGORIES) => model.predict(text, cats)[0];

  it.each([
    ['电梯坏了三天了，住在十八楼的老人下不了楼梯', '设施维修'],
    ['楼道里全是杂物，垃圾也没人清运', '环境卫生'],
    ['有人从五楼拉电线下来给电动车充电', '安全隐患'],
    ['小区里停车位不够，晚上车都停到消防通道上了', '停车交通'],
    ['物业费收得高，服务却很差', '物业管理'],
    ['楼前的绿地光秃秃的，希望补种花草', '绿化美化'],
    ['隔壁独居老人没人照顾，希望社区多上门探望', '养老服务'],
    ['希望社区开办四点半课堂，孩子放学没人管', '托育教育'],
    ['希望社区多组织广场舞比赛和书法活动', '文体活动'],
    ['楼上装修噪音太大，邻居协商也不听', '邻里纠纷'],
    ['想咨询一下社保卡怎么补办', '其他'],
  ])('files %s under %s, confidently', (text, category) => {
    const t = top(text);
    expect(t.category).toBe(category);
    expect(t.confidence).toBeGreaterThanOrEqual(TRIAGE_THRESHOLD);
  });

  it('gives confidences in [0, 1] that add up to 1 and rank them', () => {
    const ranked = model.predict('路灯不亮', SEED_CATEGORIES);
    expect(ranked).toHaveLength(SEED_CATEGORIES.length);
    for (const r of ranked) expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(ranked.reduce((a, r) => a + r.confidence, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].confidence).toBeGreaterThanOrEqual(ranked[i].confidence);
  });

  it('is unsure about texts that say nothing it knows', () => {
    expect(top('今天天气不错').confidence).toBeLessThan(TRIAGE_THRESHOLD);
    expect(top('').confidence).toBe(0);
    expect(top('？？？').confidence).toBe(0);
  });

  it('chooses only among the categories it is offered', () => {
    const t = top('电梯坏了，请尽快维修', ['环境卫生', '安全隐患', '养老服务']);
    expect(['环境卫生', '安全隐患', '养老服务']).toContain(t.category);
    expect(model.predict('电梯坏了', ['环境卫生', '安全隐患'])).toHaveLength(2);
  });

  it('gives a category it knows nothing about confidence 0 until it learns it', () => {
    const m = new Classifier(seedModel());
    const cats = [...SEED_CATEGORIES, '疫情防控'];
    expect(m.predict('希望社区给居民发放口罩和消毒液', cats).find((s) => s.category === '疫情防控')!.confidence).toBe(0);
    m.learn('希望社区给居民发放口罩和消毒液，做好疫情防控', '疫情防控');
    expect(m.knows('疫情防控')).toBe(true);
    expect(m.predict('社区能不能给居民发放口罩和消毒液', cats)[0].category).toBe('疫情防控');
    // One lesson does not drag unrelated texts along.
    expect(m.predict('电梯坏了，请尽快维修', cats)[0].category).toBe('设施维修');
  });

  it('re-learning the same key replaces the lesson; forgetting removes it', () => {
    const m = new Classifier(seedModel());
    const text = '小区门口卖菜的小贩太多，早上挤得走不动';
    m.learn(text, '环境卫生', 's1');
    m.learn(text, '其他', 's1');
    expect(m.correctionCount).toBe(1);
    expect(m.predict(text, SEED_CATEGORIES)[0].category).toBe('其他');
    m.forget('s1');
    expect(m.correctionCount).toBe(0);
  });
});

describe('the classify service', () => {
  function setup(categories?: string[]) {
    const db = openDb({ file: ':memory:' });
    const engine = sqliteEngine(db);
    const classify = classifyServiceOn(db, engine);
    const submissions = createSubmissionRepo(engine.queries);
    const service = createSubmissionService({ engine, classify });
    const c = makeClassifyCampaign(db, { categories });
    const record = async (text: string, extra: Record<string, unknown> = {}) => (await service.record({
      campaignId: c.campaignId, idempotencyKey: key(), kind: 'suggestion', text, communityId: c.yongan, ...extra,
    })).submission;
    return { db, classify, submissions, service, record, ...c };
  }

  it('files a clear text under a category with its confidence', async () => {
    const t = setup();
    const s = await t.record('电梯经常坏，希望尽快检修');
    expect(s.categoryId).toBe(categoryId(t.db, '设施维修'));
    expect(s.categoryConfidence).toBeGreaterThanOrEqual(TRIAGE_THRESHOLD);
    expect(s.needsTriage).toBe(false);
  });

  it('sends an unclear text to triage and does not guess a category', async () => {
    const t = setup();
    const s = await t.record('今天天气不错');
    expect(s.categoryId).toBeNull();
    expect(s.needsTriage).toBe(true);
    expect(s.categoryConfidence).toBeLessThan(TRIAGE_THRESHOLD);
    expect(await t.classify.triageCount(t.campaignId, 'all')).toBe(1);
  });

  it('keeps the category the resident chose, and scores it', async () => {
    const t = setup();
    const chosen = categoryId(t.db, '其他');
    const s = await t.record('电梯经常坏，希望尽快检修', { categoryId: chosen });
    expect(s.categoryId).toBe(chosen);
    expect(s.needsTriage).toBe(false);
    expect(s.categoryConfidence).toBeLessThan(0.5);
  });

  it('classifies only among the campaign’s categories', async () => {
    const t = setup(['环境卫生', '安全隐患', '养老服务']);
    const s = await t.record('楼道堆满杂物，垃圾没人清运');
    expect(s.categoryId).toBe(categoryId(t.db, '环境卫生'));
    const lift = await t.record('电梯坏了，请物业尽快维修');
    expect([null, ...t.categoryIds]).toContain(lift.categoryId);
  });

  it('learns from a staff correction: a similar later text gets the corrected category', async () => {
    const t = setup();
    const text = '小区东门的快递柜总是满的，取件要排队';
    const first = await t.record(text);
    const wanted = categoryId(t.db, '物业管理');
    expect(first.categoryId).not.toBe(wanted);
    await t.classify.correct(first, wanted, null);
    const stored = (await t.submissions.findById(first.id))!;
    expect(stored.categoryId).toBe(wanted);
    expect(stored.needsTriage).toBe(false);
    const later = await t.record('东门快递柜经常满了，取快递要排好久的队');
    expect(later.categoryId).toBe(wanted);
    // Stored: a new process (a fresh service on the same database) knows it too.
    const fresh = classifyServiceOn(t.db);
    expect((await fresh.suggest('小区东门快递柜满了，取件排队', t.campaignId))[0].categoryId).toBe(wanted);
    expect(t.db.prepare("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'submission' AND entity_id = ?").pluck().get(first.id)).toBe(1);
  });

  it('learns the corrections made on another app server within a second, each once', async () => {
    const t = setup();
    // Another app server on the same database, whose model was built before the correction.
    const other = classifyServiceOn(t.db);
    const text = '小区东门的快递柜总是满的，取件要排队';
    const wanted = categoryId(t.db, '物业管理');
    expect((await other.suggest(text, t.campaignId))[0].categoryId).not.toBe(wanted);
    await t.classify.correct((await t.record(text)), wanted, null);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + CORRECTIONS_CHECK_MS);
    try {
      expect((await other.suggest('东门快递柜经常满了，取快递要排好久的队', t.campaignId))[0].categoryId).toBe(wanted);
      expect(await other.correctionCount()).toBe(1);
      // Looked at again at the next check (it is inside the margin for late commits), but not learned twice.
      clock.mockReturnValue(now + 2 * CORRECTIONS_CHECK_MS);
      await other.suggest(text, t.campaignId);
      expect(await other.correctionCount()).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });

  it('learns a category staff added, from corrections only', async () => {
    const t = setup();
    const newId = Number(t.db.prepare("INSERT INTO categories (name, sort_order) VALUES ('疫情防控', 120)").run().lastInsertRowid);
    t.db.prepare('INSERT INTO campaign_categories (campaign_id, category_id) VALUES (?, ?)').run(t.campaignId, newId);
    const first = await t.record('希望社区给独居老人送口罩和抗原试剂');
    expect(first.categoryId).not.toBe(newId);
    await t.classify.correct(first, newId, null);
    expect((await t.record('能不能给独居老人送一些口罩和抗原试剂')).categoryId).toBe(newId);
  });

  it('refuses an unknown or inactive category with a clear message', async () => {
    const t = setup();
    const s = await t.record('电梯坏了');
    await expect(t.classify.correct(s, 9999, null)).rejects.toThrow('请选择一个有效的分类');
    const id = categoryId(t.db, '其他');
    t.db.prepare('UPDATE categories SET active = 0 WHERE id = ?').run(id);
    await expect(t.classify.correct(s, id, null)).rejects.toThrow('已停用');
  });

  it('sends a submission to triage instead of failing when classification breaks', async () => {
    const db = openDb({ file: ':memory:' });
    const repo = createClassifyRepo(sqliteEngine(db).queries);
    const errors: unknown[] = [];
    const broken = createClassifyService({ repo: { ...repo, activeCategories: () => Promise.reject(new Error('boom')) }, log: (e) => errors.push(e) });
    const out = await broken.categorize({ campaignId: 1, idempotencyKey: 'k', kind: 'wish', text: '电梯坏了' });
    expect(out.needsTriage).toBe(true);
    expect(out.categoryId ?? null).toBeNull();
    expect(errors).toHaveLength(1);
  });
});
