import { createClassifyRepo } from '../../src/classify/repo';
import { createClassifyService } from '../../src/classify/service';
import { sqliteEngine, type Engine } from '../../src/db/engine';
import { generationOf } from '../../src/db/generation';
import type { Db } from '../../src/db/open-db';
import { activeCategoryIds, categoryId, ensurePlace, ensureSubdistrict, insertCampaign } from './factories';

export { categoryId } from './factories';

/**
 * An open campaign over two communities of 建中街街道 (永安社区, 庆丰社区), offering the given categories
 * (all active ones by default).
 */
export function makeClassifyCampaign(db: Db, opts: { categories?: string[] } = {}) {
  const { subdistrictId: sub } = ensureSubdistrict(db);
  const yongan = ensurePlace(db, 'community', sub, '永安社区');
  const qingfeng = ensurePlace(db, 'community', sub, '庆丰社区');
  const categoryIds = opts.categories ? opts.categories.map((n) => categoryId(db, n)) : activeCategoryIds(db);
  const campaignId = insertCampaign(db, {
    subdistrictId: sub, title: '冬季征求意见', description: '', startsOn: '2026-01-01', endsOn: '2099-12-31',
    askPhoto: false, askContact: false, communityIds: [yongan, qingfeng], categoryIds, status: 'open',
  });
  return { campaignId, subdistrictId: sub, yongan, qingfeng, categoryIds };
}

let seq = 0;
/** A unique idempotency key for a test submission. */
export const key = () => `test-classify-${process.pid}-${++seq}`;

/** The classify service on a database, wired as the composition root wires it (src/context.ts). */
export function classifyServiceOn(db: Db, engine: Engine = sqliteEngine(db), over: Partial<Parameters<typeof createClassifyService>[0]> = {}) {
  return createClassifyService({
    repo: createClassifyRepo(engine.queries), engine, generation: () => generationOf(db), ...over,
  });
}
