import { invalid } from '../lib/errors';
import type { NewSubmission, Submission } from '../submissions/types';
import { Classifier } from './classifier';
import { seedModel, warmSeedModel } from './default-model';
import { createAuditRepo } from '../audit/repo';
import type { Engine, Queries } from '../db/engine';
import { createClassifyRepo, type CategoryRef, type ClassifyRepo } from './repo';

/**
 * Below this confidence a submission is not given a category: it waits in the triage inbox for staff, so a
 * guess never poses as a decision. With the calibrated confidence about 94% of the texts above it are right
 * and about 4% fall below it (10-fold cross-validation on the seed corpus; see `npm run bench`).
 */
export const TRIAGE_THRESHOLD = 0.5;

const CANDIDATES_TTL_MS = 1000;
/** How often each app server looks for corrections made on the others. */
export const CORRECTIONS_CHECK_MS = 1000;
/** Corrections written this long before the newest seen are looked at again: a transaction may commit late. */
const OUT_OF_ORDER_MARGIN_MS = 5000;

export interface CategorySuggestion { categoryId: number; name: string; confidence: number }

export const messages = {
  unknownCategory: '请选择一个有效的分类。',
  inactiveCategory: '这个分类已停用，请选择其他分类。',
  /** The same wording as quick entry (intake) uses. */
  categoryNotInCampaign: '所选分类不在本次征求意见的目录中。',
};

/**
 * Auto-categorization for every intake channel, the triage decisions of staff, and learning from them.
 * The model is built on first use and then kept: the seed part once per process, the corrections per database.
 */
export function createClassifyService(deps: {
  repo: ClassifyRepo;
  /** For a correction's writes, which commit together with their audit row. */
  engine?: Pick<Engine, 'unitOfWork'>;
  /** Moves when campaigns or categories changed (src/db/generation.ts); a cached category list is then read again. */
  generation?: () => number;
  log?: (err: unknown) => void;
}) {
  const { repo } = deps;
  const generation = deps.generation ?? (() => 0);
  let model: Classifier | undefined;

  /**
   * Corrections are learned from the database, so every app server learns those made on the others: at build,
   * then at most once a CORRECTIONS_CHECK_MS, the lessons written since the newest one seen (less a margin for
   * transactions that committed out of order). A lesson is learned again only when it was rewritten; learning a
   * submission's lesson replaces the one before (its key), so this server's own corrections come back harmless.
   * The check runs in the background of whatever asked for the model: one at a time, never awaited by a resident.
   */
  const learnedAt = new Map<number, string>();
  let newestSeen = '';
  let checkedAt = 0;
  let checking: Promise<void> | undefined;
  function learnNew(m: Classifier): Promise<void> {
    checking ??= (async () => {
      try {
        const since = newestSeen ? new Date(Date.parse(newestSeen) - OUT_OF_ORDER_MARGIN_MS).toISOString() : '';
        for (const l of await repo.lessonsSince(since)) {
          if (learnedAt.get(l.id) === l.at) continue;
          learnedAt.set(l.id, l.at);
          if (l.at > newestSeen) newestSeen = l.at;
          m.learn(l.text, l.categoryName, l.submissionId === null ? undefined : `s${l.submissionId}`);
        }
      } finally {
        checkedAt = Date.now();
        checking = undefined;
      }
    })();
    return checking;
  }
  const stale = () => Date.now() - checkedAt >= CORRECTIONS_CHECK_MS;
  /**
   * The model as it is now; a check for new corrections started in the background when one is due, unless the
   * caller reads inside a unit of work (`inside`), where a statement of its own would wait for that unit of work.
   */
  function classifier(inside = false): Classifier {
    model ??= new Classifier(seedModel());
    if (!inside && stale() && !checking) learnNew(model).catch((err: unknown) => deps.log?.(err));
    return model;
  }
  /** The model with every correction stored up to now learned (staff pages, commands, tests). */
  async function currentClassifier(): Promise<Classifier> {
    model ??= new Classifier(seedModel());
    if (checking) await checking;
    if (stale()) await learnNew(model);
    return model;
  }

  /**
   * The categories to choose from: the campaign's, else every active category. Kept for a second per campaign
   * (dropped at once when this process changes campaigns or categories): an import categorizes 50,000 rows, and
   * one query per row was ~6% of the server's CPU during one. Another process's change is seen within a second.
   */
  const candidateCache = new Map<number, { at: number; generation: number; cats: CategoryRef[] }>();
  const cachedCandidates = (key: number): CategoryRef[] | undefined => {
    const hit = candidateCache.get(key);
    return hit && hit.generation === generation() && Date.now() - hit.at < CANDIDATES_TTL_MS ? hit.cats : undefined;
  };
  const keepCandidates = (key: number, at: number, gen: number, cats: CategoryRef[]) => {
    if (candidateCache.size > 1000) candidateCache.clear();
    candidateCache.set(key, { at, generation: gen, cats });
    return cats;
  };
  /** `on`: the caller's unit of work, to read inside it. */
  async function candidates(campaignId?: number | null, on?: Queries): Promise<CategoryRef[]> {
    const key = campaignId ?? 0;
    const hit = cachedCandidates(key);
    if (hit) return hit;
    const at = Date.now();
    const gen = generation();
    const r = on ? createClassifyRepo(on) : repo;
    const own = campaignId ? await r.campaignCategories(campaignId) : [];
    return keepCandidates(key, at, gen, own.length ? own : await r.activeCategories());
  }
  function rank(m: Classifier, text: string, cats: readonly CategoryRef[]): CategorySuggestion[] {
    const byName = new Map(cats.map((c) => [c.name, c]));
    return m.predict(text, cats.map((c) => c.name))
      .map((s) => ({ categoryId: byName.get(s.category)!.id, name: s.category, confidence: s.confidence }));
  }

  /**
   * Fills in category, confidence and triage for a new submission. A category the resident or staff chose is
   * kept (the model only scores it); otherwise the model decides when it is confident enough, else the
   * submission goes to triage with the category left empty.
   */
  function decide(input: NewSubmission, cats: readonly CategoryRef[], inside = false): NewSubmission {
    const ranked = rank(classifier(inside), input.text, cats);
    if (input.categoryId != null) {
      const own = ranked.find((s) => s.categoryId === input.categoryId);
      return { ...input, categoryConfidence: input.categoryConfidence ?? own?.confidence ?? null };
    }
    const top = ranked[0];
    if (top && top.confidence >= TRIAGE_THRESHOLD) {
      return { ...input, categoryId: top.categoryId, categoryConfidence: top.confidence, needsTriage: false };
    }
    return { ...input, categoryId: null, categoryConfidence: top?.confidence ?? null, needsTriage: true };
  }
  /** A failure to categorize sends the submission to triage: it never loses the submission. */
  const failed = (input: NewSubmission, err: unknown): NewSubmission => {
    deps.log?.(err);
    return { ...input, needsTriage: input.categoryId == null ? true : input.needsTriage };
  };

  return {
    /**
     * Ranked suggestions for a text among a campaign's categories (all active ones without a campaign). `on`: the
     * caller's unit of work (the demo's), read inside it; the model is then taken as it is.
     */
    async suggest(text: string, campaignId?: number | null, on?: Queries): Promise<CategorySuggestion[]> {
      const cats = await candidates(campaignId, on);
      return rank(on ? classifier(true) : await currentClassifier(), text, cats);
    },

    /**
     * Categorizes a new submission (see `decide`) among `given` or the campaign's categories. Never throws.
     * With `given` (the residents' form has them at hand) nothing is read from the database; `on`: the caller's
     * unit of work, to read inside it.
     */
    async categorize(input: NewSubmission, given?: readonly CategoryRef[], on?: Queries): Promise<NewSubmission> {
      try {
        // The first use of the model waits for the corrections stored so far; later checks run in the background.
        if (checkedAt === 0 && !on) await currentClassifier();
        return decide(input, given?.length ? given : await candidates(input.campaignId, on), !!on);
      } catch (err) {
        return failed(input, err);
      }
    },
    /**
     * Staff set a submission's category (triage or correction): stored with its audit row in one unit of work,
     * and learned at once so the next similar text gets it. Only one of the campaign's active categories is
     * accepted (the ones the form offers): anything else is refused before anything is stored or learned.
     */
    async correct(submission: Submission, categoryId: number, userId: number | null): Promise<CategoryRef> {
      const cat = await repo.findCategory(categoryId);
      if (!cat) throw invalid(messages.unknownCategory);
      if (!cat.active) throw invalid(messages.inactiveCategory);
      const offered = await candidates(submission.campaignId);
      if (!offered.some((c) => c.id === cat.id)) throw invalid(messages.categoryNotInCampaign);
      const m = await currentClassifier();
      const suggested = rank(m, submission.text, offered).at(0);
      if (!deps.engine) throw new Error('no engine was given for corrections');
      await deps.engine.unitOfWork(async (tx) => {
        await createClassifyRepo(tx).applyCorrection({
          submissionId: submission.id, text: submission.text, categoryId, previousCategoryId: submission.categoryId,
          suggestedCategoryId: suggested?.categoryId ?? null, correctedBy: userId,
        });
        await createAuditRepo(tx).record({
          entityType: 'submission', entityId: submission.id, action: 'category', userId,
          detail: { from: submission.categoryId, to: categoryId, suggested: suggested?.categoryId ?? null },
        });
      });
      m.learn(submission.text, cat.name, `s${submission.id}`);
      return { id: cat.id, name: cat.name };
    },

    /** The triage inbox of a campaign, limited to the caller's communities. */
    triage: (campaignId: number, communityIds: number[] | 'all', limit: number, offset: number) =>
      repo.triage(campaignId, communityIds, limit, offset),
    triageCount: (campaignId: number, communityIds: number[] | 'all') => repo.triageCount(campaignId, communityIds),

    /**
     * Builds the model ahead of the first submission without holding up start-up: the seed part in slices that
     * let requests run between them, then this database's corrections.
     */
    warmUp: async () => { await warmSeedModel(); await currentClassifier(); },

    /** Campaign categories for the correction form. */
    categoriesFor: (campaignId: number) => candidates(campaignId),
    correctionCount: async () => (await currentClassifier()).correctionCount,
  };
}
export type ClassifyService = ReturnType<typeof createClassifyService>;
