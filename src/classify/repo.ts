import type { Db } from '../db/open-db';
import { generationOf } from '../db/generation';
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

/** SQL of the classify domain: categories to choose from, the corrections it learns from, the triage inbox. */
export function createClassifyRepo(db: Db) {
  const active = db.prepare<[], CategoryRef>('SELECT id, name FROM categories WHERE active = 1 ORDER BY sort_order, id');
  const ofCampaign = db.prepare<[number], CategoryRef>(`SELECT c.id, c.name FROM campaign_categories cc
    JOIN categories c ON c.id = cc.category_id WHERE cc.campaign_id = ? AND c.active = 1 ORDER BY c.sort_order, c.id`);
  const category = db.prepare<[number], CategoryRef & { active: number }>('SELECT id, name, active FROM categories WHERE id = ?');
  const lessonsSince = db.prepare<[string], { id: number; created_at: string; submission_id: number | null; text: string; name: string }>(
    `SELECT k.id, k.created_at, k.submission_id, k.text, c.name FROM classifier_corrections k JOIN categories c ON c.id = k.category_id
    WHERE k.created_at >= ? ORDER BY k.created_at, k.id`);
  const upsert = db.prepare(`INSERT INTO classifier_corrections
    (submission_id, text, category_id, previous_category_id, suggested_category_id, corrected_by)
    VALUES (@submissionId, @text, @categoryId, @previousCategoryId, @suggestedCategoryId, @correctedBy)
    ON CONFLICT(submission_id) DO UPDATE SET text = excluded.text, category_id = excluded.category_id,
      previous_category_id = excluded.previous_category_id, suggested_category_id = excluded.suggested_category_id,
      corrected_by = excluded.corrected_by, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);
  const setCategory = db.prepare('UPDATE submissions SET category_id = ?, category_confidence = NULL, needs_triage = 0 WHERE id = ?');
  const audit = db.prepare(`INSERT INTO audit_log (entity_type, entity_id, action, detail, user_id)
    VALUES ('submission', ?, 'category', ?, ?)`);

  const scopeSql = (communityIds: number[] | 'all') =>
    communityIds === 'all' ? '' : `AND community_id IN (${communityIds.map(() => '?').join(',') || 'NULL'})`;
  const scopeParams = (communityIds: number[] | 'all') => (communityIds === 'all' ? [] : communityIds);

  return {
    activeCategories: () => active.all(),
    /** Bumped by every write to campaigns and categories in this process (src/db/generation.ts). */
    generation: () => generationOf(db),
    /** The categories residents may pick in a campaign (active ones). */
    campaignCategories: (campaignId: number) => ofCampaign.all(campaignId),
    findCategory: (id: number) => {
      const r = category.get(id);
      return r ? { id: r.id, name: r.name, active: r.active === 1 } : undefined;
    },
    /** Lessons written at or after `at` (ISO time; '' for all), oldest first. */
    lessonsSince: (at: string): StoredLesson[] => lessonsSince.all(at)
      .map((r) => ({ id: r.id, at: r.created_at, submissionId: r.submission_id, text: r.text, categoryName: r.name })),
    /** Sets a submission's category as staff decided, records the lesson and the audit entry, all or nothing. */
    applyCorrection: db.transaction((c: NewCorrection) => {
      setCategory.run(c.categoryId, c.submissionId);
      upsert.run(c);
      audit.run(c.submissionId, JSON.stringify({ from: c.previousCategoryId, to: c.categoryId, suggested: c.suggestedCategoryId }), c.correctedBy);
    }),
    /** Submissions of a campaign waiting for a category, oldest first (they have waited longest). */
    triage(campaignId: number, communityIds: number[] | 'all', limit: number, offset: number): Submission[] {
      const rows = db.prepare(`SELECT * FROM submissions WHERE campaign_id = ? AND needs_triage = 1 ${scopeSql(communityIds)}
        ORDER BY created_at, id LIMIT ? OFFSET ?`).all(campaignId, ...scopeParams(communityIds), limit, offset);
      return (rows as Parameters<typeof toSubmission>[0][]).map(toSubmission);
    },
    triageCount(campaignId: number, communityIds: number[] | 'all'): number {
      return db.prepare(`SELECT COUNT(*) FROM submissions WHERE campaign_id = ? AND needs_triage = 1 ${scopeSql(communityIds)}`)
        .pluck().get(campaignId, ...scopeParams(communityIds)) as number;
    },
  };
}
export type ClassifyRepo = ReturnType<typeof createClassifyRepo>;
