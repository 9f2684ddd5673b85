import { sql, type RawBuilder } from 'kysely';
import type { Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
import type { SubmissionFilter } from './filter';

/**
 * The conditions of a submission filter (src/submissions/filter.ts) on the submissions table aliased `alias`, for
 * the asynchronous seam: the list, the export and the counts all build their WHERE from this one function.
 * An empty filter gives `TRUE` (`1 = 1`), so a caller can always write `WHERE ${…}`.
 */
export function submissionConditions(on: Queries, f: SubmissionFilter, alias = 'submissions'): RawBuilder<boolean> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const d = dialectOf(on);
  const w: Array<RawBuilder<unknown>> = [];
  if (f.campaignId !== undefined) w.push(sql`${col('campaign_id')} = ${f.campaignId}`);
  if (f.communityIds && f.communityIds !== 'all') {
    const unplaced = f.includeUnplaced ? sql` OR ${col('community_id')} IS NULL` : sql``;
    w.push(sql`(${col('community_id')} IN ${inList(f.communityIds)}${unplaced})`);
  }
  if (f.gridIds) w.push(sql`${col('grid_id')} IN ${inList(f.gridIds)}`);
  if (f.communityId !== undefined) w.push(sql`${col('community_id')} = ${f.communityId}`);
  if (f.qrCodeId !== undefined) w.push(sql`${col('qr_code_id')} = ${f.qrCodeId}`);
  if (f.categoryId !== undefined) w.push(sql`${col('category_id')} = ${f.categoryId}`);
  if (f.kind) w.push(sql`${col('kind')} = ${f.kind}`);
  if (f.channel) w.push(sql`${col('channel')} = ${f.channel}`);
  // created_at is UTC; residents and staff think in China time (UTC+8).
  if (f.from) w.push(sql`${col('created_at')} >= ${d.chinaDayStartIso(f.from, 0)}`);
  if (f.to) w.push(sql`${col('created_at')} < ${d.chinaDayStartIso(f.to, 1)}`);
  return w.length ? sql<boolean>`${sql.join(w, sql` AND `)}` : sql<boolean>`1 = 1`;
}
