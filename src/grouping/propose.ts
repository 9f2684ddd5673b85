import { bestCandidate, groupItems, pairScore, prepare, type Corrections, type GroupItem } from './engine';
import type { FeatureOptions } from './features';

/** What the triage queue asks of the grouping: its suggestions, the open issues they may join, staff corrections. */
export interface ProposeInput {
  items: GroupItem[];
  issues: Array<{ id: number; community: number | string | null; texts: string[] }>;
  corrections?: Corrections;
}

export interface ProposedGroup {
  /** Indexes into `items`, in input order. */
  members: number[];
  /** The member most like the others: its text makes the suggested title. */
  representative: number;
  /** The open issue the group most likely belongs to. */
  match: { issueId: number; score: number } | null;
}

/**
 * Groups the queue and matches each group to the open issue it most likely joins. Items and issue texts are
 * prepared together, so rare words weigh the same in both.
 */
export function propose(input: ProposeInput, opts: FeatureOptions): ProposedGroup[] {
  const issueItems: GroupItem[] = input.issues.flatMap((iss) => iss.texts.map((text, k) => ({ key: `issue:${iss.id}:${k}`, community: iss.community, text })));
  const prepared = prepare([...input.items, ...issueItems], opts);
  const queue = prepared.slice(0, input.items.length);
  const groupOf = groupItems(queue, { corrections: input.corrections });
  const byGroup = new Map<number, number[]>();
  groupOf.forEach((g, i) => { const l = byGroup.get(g); if (l) l.push(i); else byGroup.set(g, [i]); });
  const candidates: Array<{ id: number; members: typeof prepared }> = [];
  let at = input.items.length;
  for (const iss of input.issues) {
    candidates.push({ id: iss.id, members: prepared.slice(at, at + iss.texts.length) });
    at += iss.texts.length;
  }
  return [...byGroup.values()].map((members) => {
    let representative = members[0];
    if (members.length > 2) {
      let best = -1;
      for (const m of members) {
        let sum = 0;
        for (const o of members) if (o !== m) sum += pairScore(queue[m], queue[o]);
        if (sum > best) { best = sum; representative = m; }
      }
    }
    const found = bestCandidate(members.map((m) => queue[m]), candidates);
    return { members, representative, match: found ? { issueId: candidates[found.index].id, score: found.score } : null };
  });
}

/** The open issues that look like the same problem as these texts (one issue's), best first. */
export function rankIssues(
  input: { texts: string[]; community: number | string | null; issues: ProposeInput['issues'] }, opts: FeatureOptions,
): Array<{ issueId: number; score: number }> {
  const own: GroupItem[] = input.texts.map((text, k) => ({ key: `own:${k}`, community: input.community, text }));
  const others: GroupItem[] = input.issues.flatMap((iss) => iss.texts.map((text, k) => ({ key: `issue:${iss.id}:${k}`, community: iss.community, text })));
  const prepared = prepare([...own, ...others], opts);
  const mine = prepared.slice(0, own.length);
  const out: Array<{ issueId: number; score: number }> = [];
  let at = own.length;
  for (const iss of input.issues) {
    const members = prepared.slice(at, at + iss.texts.length);
    at += iss.texts.length;
    const found = bestCandidate(mine, [{ members }]);
    if (found) out.push({ issueId: iss.id, score: found.score });
  }
  return out.sort((a, b) => b.score - a.score);
}
