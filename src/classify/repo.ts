import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
import { toSubmission } from '../submissions/repo';
import type { Submission } from '../submissions/types';

export interface CategoryRef { id: number; name: string }

export interface Lesson { submissionId: number | null; text: string; categoryName: string }
/** A lesson as stored: its row and when it was last written (a correction made again rewrites it). */
export interface StoredLesson extends Lesson { id: number; at: string }

export interface NewCorrection {
  submissionId: number;
  text: string;
  categoryId: number;
  previousCategoryId: number | null;
  suggestedCategoryId: number | null;
  correctedBy: number | null;
}

type SubmissionRow = Parameters<typeof toSubmission>[0];
const inScope = (communityIds: number[] | 'all') => (communityIds === 'all' ? sql`` : sql` AND community_id IN ${inList(communityIds)}`);

/** SQL of the classify domain: categories to choose from, the corrections it learns from, the triage inbox. */
export function createClassifyRepo(on: Queries) {
  const d = dialectOf(on);
  return {
    activeCategories: (): Promise<CategoryRef[]> =>
      all<CategoryRef>(on, sql`SELECT id, name FROM categories WHERE active = 1 ORDER BY sort_order, id`),
    /** The categories residents may pick in a campaign (active ones). */
    campaignCategories: (campaignId: number): Promise<CategoryRef[]> => all<CategoryRef>(on, sql`SELECT c.id, c.name
      FROM campaign_categories cc JOIN categories c ON c.id = cc.category_id
      WHERE cc.campaign_id = ${campaignId} AND c.active = 1 ORDER BY c.sort_order, c.id`),
    findCategory: async (id: number) => {
      const r = await one<CategoryRef & { active: number }>(on, sql`SELECT id, name, active FROM categories WHERE id = ${id}`);
      return r ? { id: r.id, name: r.name, active: r.active === 1 } : undefined;
    },
    /** Lessons written at or after `at` (ISO time; '' for all), oldest first. */
    lessonsSince: async (at: string): Promise<StoredLesson[]> => (await all<{ id: number; created_at: string; submission_id: number | null; text: string; name: string }>(on,
      sql`SELECT k.id, k.created_at, k.submission_id, k.text, c.name FROM classifier_corrections k JOIN categories c ON c.id = k.category_id
        WHERE k.created_at >= ${at} ORDER BY k.created_at, k.id`))
      .map((r) => ({ id: r.id, at: r.created_at, submissionId: r.submission_id, text: r.text, categoryName: r.name })),
    /** Sets a submission's category as staff decided and records the lesson (run it in a unit of work with its audit). */
    async applyCorrection(c: NewCorrection): Promise<void> {
      await run(on, sql`UPDATE submissions SET category_id = ${c.categoryId}, category_confidence = NULL, needs_triage = 0 WHERE id = ${c.submissionId}`);
      await run(on, sql`INSERT INTO classifier_corrections
          (submission_id, text, category_id, previous_category_id, suggested_category_id, corrected_by)
        VALUES (${c.submissionId}, ${c.text}, ${c.categoryId}, ${c.previousCategoryId}, ${c.suggestedCategoryId}, ${c.correctedBy})
        ON CONFLICT (submission_id) DO UPDATE SET text = excluded.text, category_id = excluded.category_id,
          previous_category_id = excluded.previous_category_id, suggested_category_id = excluded.suggested_category_id,
          corrected_by = excluded.corrected_by, created_at = ${d.nowIso}`);
    },
    /** Submissions of a campaign waiting for a category, oldest first (they have waited longest). */
    triage: async (campaignId: number, communityIds: number[] | 'all', limit: number, offset: number): Promise<Submission[]> =>
      (await all<SubmissionRow>(on, sql`SELECT * FROM submissions WHERE campaign_id = ${campaignId} AND needs_triage = 1${inScope(communityIds)}
        ORDER BY created_at, id LIMIT ${limit} OFFSET ${offset}`)).map(toSubmission),
    triageCount: async (campaignId: number, communityIds: number[] | 'all'): Promise<number> =>
      Number((await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM submissions
        WHERE campaign_id = ${campaignId} AND needs_triage = 1${inScope(communityIds)}`))?.n ?? 0),
  };
}
export type ClassifyRepo = ReturnType<typeof createClassifyRepo>;
