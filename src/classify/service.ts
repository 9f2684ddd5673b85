import { invalid } from '../lib/errors';
import type { NewSubmission, Submission } from '../submissions/types';
import { Classifier } from './classifier';
import { seedModel, warmSeedModel } from './default-model';
import type { CategoryRef, ClassifyRepo } from './repo';

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
export function createClassifyService(deps: { repo: ClassifyRepo; log?: (err: unknown) => void }) {
  const { repo } = deps;
  let model: Classifier | undefined;

  /**
   * Corrections are learned from the database, so every app server learns those made on the others: at build,
   * then at most once a CORRECTIONS_CHECK_MS, the lessons written since the newest one seen (less a margin for
   * transactions that committed out of order). A lesson is learned again only when it was rewritten; learning a
   * submission's lesson replaces the one before (its key), so this server's own corrections come back harmless.
   */
  const learnedAt = new Map<number, string>();
  let newestSeen = '';
  let checkedAt = 0;
  function learnNew(m: Classifier): void {
    checkedAt = Date.now();
    const since = newestSeen ? new Date(Date.parse(newestSeen) - OUT_OF_ORDER_MARGIN_MS).toISOString() : '';
    for (const l of repo.lessonsSince(since)) {
      if (learnedAt.get(l.id) === l.at) continue;
      learnedAt.set(l.id, l.at);
      if (l.at > newestSeen) newestSeen = l.at;
      m.learn(l.text, l.categoryName, l.submissionId === null ? undefined : `s${l.submissionId}`);
    }
  }
  function classifier(): Classifier {
    if (!model) {
      const m = new Classifier(seedModel());
      learnNew(m);
      model = m;
    } else if (Date.now() - checkedAt >= CORRECTIONS_CHECK_MS) {
      learnNew(model);
    }
    return model;
  }

  /**
   * The categories to choose from: the campaign's, else every active category. Kept for a second per campaign
   * (dropped at once when this process changes campaigns or categories): an import categorizes 50,000 rows, and
   * one query per row was ~6% of the server's CPU during one. Another process's change is seen within a second.
   */
  const candidateCache = new Map<number, { at: number; generation: number; cats: CategoryRef[] }>();
  function candidates(campaignId?: number | null): CategoryRef[] {
    const key = campaignId ?? 0;
    const now = Date.now();
    const generation = repo.generation();
    const hit = candidateCache.get(key);
    if (hit && hit.generation === generation && now - hit.at < CANDIDATES_TTL_MS) return hit.cats;
    const own = campaignId ? repo.campaignCategories(campaignId) : [];
    const cats = own.length ? own : repo.activeCategories();
    if (candidateCache.size > 1000) candidateCache.clear();
    candidateCache.set(key, { at: now, generation, cats });
    return cats;
  }

  function rank(text: string, cats: readonly CategoryRef[]): CategorySuggestion[] {
    const byName = new Map(cats.map((c) => [c.name, c]));
    return classifier().predict(text, cats.map((c) => c.name))
      .map((s) => ({ categoryId: byName.get(s.category)!.id, name: s.category, confidence: s.confidence }));
  }

  return {
    /** Ranked suggestions for a text among a campaign's categories (all active ones without a campaign). */
    suggest(text: string, campaignId?: number | null): CategorySuggestion[] {
      return rank(text, candidates(campaignId));
    },

    /**
     * Fills in category, confidence and triage for a new submission. A category the resident or staff chose is
     * kept (the model only scores it); otherwise the model decides when it is confident enough, else the
     * submission goes to triage with the category left empty. Never throws: a failure sends it to triage.
     */
    categorize(input: NewSubmission, given?: readonly CategoryRef[]): NewSubmission {
      try {
        const cats = given?.length ? given : candidates(input.campaignId);
        const ranked = rank(input.text, cats);
        if (input.categoryId != null) {
          const own = ranked.find((s) => s.categoryId === input.categoryId);
          return { ...input, categoryConfidence: input.categoryConfidence ?? own?.confidence ?? null };
        }
        const top = ranked[0];
        if (top && top.confidence >= TRIAGE_THRESHOLD) {
          return { ...input, categoryId: top.categoryId, categoryConfidence: top.confidence, needsTriage: false };
        }
        return { ...input, categoryId: null, categoryConfidence: top?.confidence ?? null, needsTriage: true };
      } catch (err) {
        deps.log?.(err);
        return { ...input, needsTriage: input.categoryId == null ? true : input.needsTriage };
      }
    },

    /**
     * Staff set a submission's category (triage or correction): stored, audited, and learned at once so the
     * next similar text gets it. Only one of the campaign's active categories is accepted (the ones the form
     * offers): anything else is refused before anything is stored or learned.
     */
    correct(submission: Submission, categoryId: number, userId: number | null): CategoryRef {
      const cat = repo.findCategory(categoryId);
      if (!cat) throw invalid(messages.unknownCategory);
      if (!cat.active) throw invalid(messages.inactiveCategory);
      const offered = candidates(submission.campaignId);
      if (!offered.some((c) => c.id === cat.id)) throw invalid(messages.categoryNotInCampaign);
      const suggested = rank(submission.text, offered).at(0);
      repo.applyCorrection({
        submissionId: submission.id, text: submission.text, categoryId, previousCategoryId: submission.categoryId,
        suggestedCategoryId: suggested?.categoryId ?? null, correctedBy: userId,
      });
      classifier().learn(submission.text, cat.name, `s${submission.id}`);
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
    warmUp: async () => { await warmSeedModel(); classifier(); },

    /** Campaign categories for the correction form. */
    categoriesFor: (campaignId: number) => candidates(campaignId),
    correctionCount: () => classifier().correctionCount,
  };
}
export type ClassifyService = ReturnType<typeof createClassifyService>;
