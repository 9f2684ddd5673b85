import { z } from 'zod';
import type { Slice } from '../access/rules';
import { firstValue, queryDate, queryId } from '../http/validate';
import { CHANNELS, KINDS, type Channel, type SubmissionKind } from './types';

/**
 * Which submissions a staff list, an export or a count covers: the user's slice of one campaign (the
 * communities they reach, whether submissions without a community belong to them, a grid worker's grids) plus
 * the page's own narrowing. One builder, `submissionFilter`, serves the list page, the exports and the counts
 * that compare them, so they can never disagree about who sees what. The SQL is in submissions/repo.ts.
 */
export interface SubmissionFilter {
  campaignId?: number;
  communityIds?: number[] | 'all';
  /** With `communityIds`: also the submissions that name no community. */
  includeUnplaced?: boolean;
  gridIds?: number[] | null;
  communityId?: number;
  qrCodeId?: number;
  categoryId?: number;
  kind?: SubmissionKind;
  channel?: Channel;
  /** Inclusive YYYY-MM-DD bounds on the day it was received (China time). */
  from?: string;
  to?: string;
}

/**
 * The list filters from the query string: a malformed value (or an impossible date) is ignored rather than
 * failing the page, and a repeated parameter counts with its first value.
 */
export const submissionQuerySchema = z.object({
  community: queryId(),
  qr: queryId(),
  category: queryId(),
  kind: firstValue(z.enum(KINDS)).optional().catch(undefined),
  channel: firstValue(z.enum(CHANNELS)).optional().catch(undefined),
  from: queryDate(),
  to: queryDate(),
});
export type SubmissionQuery = z.infer<typeof submissionQuerySchema>;

/** The user's slice of a campaign, narrowed by what the page asked for. */
export function submissionFilter(slice: Pick<Slice, 'communityIds' | 'includeUnplaced' | 'gridIds'>, campaignId: number, q: SubmissionQuery): SubmissionFilter {
  return {
    campaignId, communityIds: slice.communityIds, includeUnplaced: slice.includeUnplaced, gridIds: slice.gridIds,
    communityId: q.community, qrCodeId: q.qr, categoryId: q.category, kind: q.kind, channel: q.channel, from: q.from, to: q.to,
  };
}
