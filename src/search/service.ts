import { campaignAccess, isStaff, type Viewer } from '../access/rules';
import type { CampaignService } from '../campaigns/service';
import { normalizeMobile } from '../lib/personal-data';
import { normalizeReceiptCode } from '../lib/receipt-code';
import type { FoundIssue, FoundSubmission, SearchRepo, SearchScope } from './repo';
import { matchPhrases } from '../db/search-tokens';

export const SEARCH_LIMIT = 50;
export const SEARCH_MAX_LENGTH = 100;

export type SearchKind = 'empty' | 'code' | 'phone' | 'words' | 'too_short';
export interface SearchResult { query: string; kind: SearchKind; submissions: FoundSubmission[]; issues: FoundIssue[]; limit: number }

/**
 * What staff type into the search box: a receipt code (any case, with or without the dash, full- or half-width),
 * a mobile number (found exactly; masked roles see the result masked), or words from suggestions, issue titles and
 * replies. Results never leave the user's reach.
 */
export function createSearchService(deps: { repo: SearchRepo; campaigns: Pick<CampaignService, 'visibleTo' | 'communityIds'> }) {
  const { repo } = deps;

  async function scopeOf(user: Viewer): Promise<SearchScope> {
    const { reach } = user;
    if (reach.communityIds === 'all') return { communityIds: 'all', gridIds: null, unplacedCampaignIds: 'all' };
    // Submissions without a community belong to those who run their campaign, as on the lists (access/rules.ts).
    const managed: number[] = [];
    if (!reach.gridIds) {
      for (const c of await deps.campaigns.visibleTo(user)) {
        if (campaignAccess(user, c, await deps.campaigns.communityIds(c.id)) === 'manage') managed.push(c.id);
      }
    }
    return { communityIds: reach.communityIds, gridIds: reach.gridIds, unplacedCampaignIds: managed };
  }

  return {
    async search(user: Viewer, typed: string): Promise<SearchResult> {
      const query = typed.trim().slice(0, SEARCH_MAX_LENGTH);
      const empty = (kind: SearchKind): SearchResult => ({ query, kind, submissions: [], issues: [], limit: SEARCH_LIMIT });
      if (!query) return empty('empty');
      const scope = await scopeOf(user);
      const code = normalizeReceiptCode(query);
      if (code) return { ...empty('code'), submissions: await repo.byReceipt(code, scope) };
      const phone = normalizeMobile(query.normalize('NFKC'));
      if (phone) return { ...empty('phone'), submissions: await repo.byPhone(phone, scope, SEARCH_LIMIT) };
      const phrases = matchPhrases(query);
      if (!phrases) return empty('too_short');
      return {
        ...empty('words'),
        submissions: await repo.submissions(phrases, scope, SEARCH_LIMIT),
        issues: isStaff(user) ? await repo.issues(phrases, scope, SEARCH_LIMIT) : [],
      };
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
