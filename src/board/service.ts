import type { Grouping } from '../grouping/service';
import { RESIDENT_STATUS_LABELS } from '../issues/rules';
import { conflict, notFound } from '../lib/errors';
import type { PlaceRepo } from '../places/repo';
import { maskPhonesInText } from '../lib/personal-data';
import { residentKeyOf } from '../submissions/resident-cookie';
import { SUPPORTABLE_STATUSES, type BoardRepo, type BoardRow } from './repo';

/** One issue as the public board shows it. Titles and replies are masked again here: a reply is free text. */
export interface BoardIssue {
  id: number;
  title: string;
  category: string | null;
  status: string;
  resolved: boolean;
  residents: number;
  supporters: number;
  reply: string | null;
  /** Units by name, members only as 在职党员. */
  claimers: string[];
  resolvedAt: string | null;
  /** This phone supported it already. */
  supported: boolean;
  canSupport: boolean;
}

export const BOARD_MESSAGES = {
  own: '这是您自己反映的问题，已经计入反映人数，不用再附议。',
  closed: '这个问题已经办结，不再接受附议。',
};

/** How many similar open issues a fresh receipt offers. */
const SIMILAR_MAX = 3;
/**
 * Matching runs jieba over the issues' texts on the event loop (measured ~85 ms for 100 issues × 5 texts on the
 * shared dev machine), so it is bounded: the 60 newest open public issues of the community with their title and
 * 3 texts, once per submission; reloads of the receipt (and the way back after 附议) reuse the match for 10 minutes.
 */
const SIMILAR_ISSUES = 60;
const SIMILAR_TEXTS = 3;
const SIMILAR_TTL_MS = 10 * 60_000;
const SIMILAR_CACHE_MAX = 5000;

export function createBoardService(deps: { repo: BoardRepo; places: Pick<PlaceRepo, 'findById'>; grouping: Pick<Grouping, 'rankIssues'> }) {
  const { repo, places } = deps;
  const matched = new Map<number, { at: number; ids: number[] }>();

  async function similarIds(sub: { id: number; text: string; communityId: number }): Promise<number[]> {
    const now = Date.now();
    const hit = matched.get(sub.id);
    if (hit && now - hit.at < SIMILAR_TTL_MS) return hit.ids;
    const open = await repo.openWithTexts(sub.communityId, SIMILAR_TEXTS, SIMILAR_ISSUES);
    const ids = open.length === 0 ? [] : deps.grouping.rankIssues({
      texts: [sub.text], community: sub.communityId, issues: open.map((o) => ({ ...o, community: sub.communityId })),
    }).slice(0, SIMILAR_MAX).map((r) => r.issueId);
    if (matched.size >= SIMILAR_CACHE_MAX) matched.clear();
    matched.set(sub.id, { at: now, ids });
    return ids;
  }

  const toBoardIssue = (r: BoardRow, supported: Set<number>): BoardIssue => ({
    id: r.id, title: maskPhonesInText(r.title), category: r.category_name, status: RESIDENT_STATUS_LABELS[r.status],
    resolved: r.status === 'resolved', residents: r.residents, supporters: r.supporters,
    reply: r.reply ? maskPhonesInText(r.reply) : null,
    claimers: r.claimers ? r.claimers.split(',') : [], resolvedAt: r.resolved_at, supported: supported.has(r.id),
    canSupport: SUPPORTABLE_STATUSES.includes(r.status) && !supported.has(r.id),
  });

  return {
    /**
     * The board of a community, or where to find it: a grid or compound leads to its community's board, anything
     * else is not found.
     */
    async board(placeId: number, residentId: string | null):
      Promise<{ community: { id: number; name: string }; issues: BoardIssue[] } | { redirect: number } | undefined> {
      const place = await places.findById(placeId);
      if (!place) return undefined;
      if ((place.kind === 'grid' || place.kind === 'compound') && place.parentId) return { redirect: place.parentId };
      if (place.kind !== 'community') return undefined;
      const key = residentKeyOf(residentId);
      const supported = key ? await repo.supportedBy(key) : new Set<number>();
      return { community: { id: place.id, name: place.name }, issues: (await repo.board(place.id)).map((r) => toBoardIssue(r, supported)) };
    },

    /**
     * 附议: counts once per phone and issue. Returns the issue's community (for the way back) and whether this tap
     * counted. Only open public issues, and not one the phone raised itself.
     */
    async support(issueId: number, residentId: string): Promise<{ communityId: number; added: boolean }> {
      const issue = await repo.publicIssue(issueId);
      if (!issue) throw notFound('问题');
      if (!SUPPORTABLE_STATUSES.includes(issue.status)) throw conflict(BOARD_MESSAGES.closed);
      const key = residentKeyOf(residentId)!;
      if (await repo.owns(issueId, key)) throw conflict(BOARD_MESSAGES.own);
      return { communityId: issue.community_id, added: await repo.addSupport(issueId, key) };
    },

    /**
     * Open public issues of the submission's community that look like the same problem (the grouping engine's
     * match of a text to issues), best first, while the submission itself is not yet part of an issue.
     */
    async similarTo(sub: { id: number; text: string; communityId: number | null; issueId: number | null; declinedAt: string | null }, residentId: string | null): Promise<BoardIssue[]> {
      if (sub.communityId === null || sub.issueId !== null || sub.declinedAt !== null) return [];
      const ids = await similarIds({ id: sub.id, text: sub.text, communityId: sub.communityId });
      if (ids.length === 0) return [];
      const key = residentKeyOf(residentId);
      const supported = key ? await repo.supportedBy(key) : new Set<number>();
      // Read again each time: counts change, and an issue may have closed or left the board since the match.
      const rows: BoardRow[] = [];
      for (const id of ids) {
        const r = await repo.publicIssue(id);
        if (r) rows.push(r);
      }
      return rows.map((r) => toBoardIssue(r, supported));
    },
  };
}
export type BoardService = ReturnType<typeof createBoardService>;
