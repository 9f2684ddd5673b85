import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { bumpGenerationOf, changing } from '../db/generation';

export interface Category { id: number; name: string; sortOrder: number; active: boolean }

interface Row { id: number; name: string; sort_order: number; active: number }
const toCategory = (r: Row): Category => ({ id: r.id, name: r.name, sortOrder: r.sort_order, active: r.active === 1 });

export function createCategoryRepo(on: Queries) {
  const byId = async (id: number) => { const r = await one<Row>(on, sql`SELECT * FROM categories WHERE id = ${id}`); return r ? toCategory(r) : undefined; };
  return {
    list: async (): Promise<Category[]> => (await all<Row>(on, sql`SELECT * FROM categories ORDER BY sort_order, id`)).map(toCategory),
    listActive: async (): Promise<Category[]> =>
      (await all<Row>(on, sql`SELECT * FROM categories WHERE active = 1 ORDER BY sort_order, id`)).map(toCategory),
    findById: byId,
    async findByName(name: string): Promise<Category | undefined> {
      const r = await one<Row>(on, sql`SELECT * FROM categories WHERE name = ${name}`);
      return r ? toCategory(r) : undefined;
    },
    /** New categories go to the end of the list. */
    create: (name: string): Promise<number> => changing(on, async () => {
      const r = await one<{ id: number }>(on, sql`INSERT INTO categories (name, sort_order)
        VALUES (${name}, (SELECT COALESCE(MAX(sort_order), 0) + 10 FROM categories)) RETURNING id`);
      return r!.id;
    }),
    rename: (id: number, name: string): Promise<void> =>
      changing(on, async () => { await run(on, sql`UPDATE categories SET name = ${name} WHERE id = ${id}`); }),
    setActive: (id: number, isActive: boolean): Promise<void> =>
      changing(on, async () => { await run(on, sql`UPDATE categories SET active = ${isActive ? 1 : 0} WHERE id = ${id}`); }),
    /** Rewrites every sort_order in the given id order (10, 20, …); in the caller's unit of work, so all or none. */
    async reorder(ids: readonly number[]): Promise<void> {
      bumpGenerationOf(on);
      for (const [i, id] of ids.entries()) await run(on, sql`UPDATE categories SET sort_order = ${(i + 1) * 10} WHERE id = ${id}`);
    },
    remove: (id: number): Promise<void> =>
      changing(on, async () => { await run(on, sql`DELETE FROM categories WHERE id = ${id}`); }),
    usage: async (id: number): Promise<{ submissions: number; campaigns: number }> => (await one<{ submissions: number; campaigns: number }>(on, sql`SELECT
      (SELECT COUNT(*) FROM submissions WHERE category_id = ${id}) AS submissions,
      (SELECT COUNT(*) FROM campaign_categories WHERE category_id = ${id}) AS campaigns`))!,
    /** Usage of every category at once, for the list page. */
    usageById: async (): Promise<Map<number, { submissions: number; campaigns: number }>> => new Map((await all<{ id: number; submissions: number; campaigns: number }>(on, sql`SELECT c.id,
      (SELECT COUNT(*) FROM submissions s WHERE s.category_id = c.id) AS submissions,
      (SELECT COUNT(*) FROM campaign_categories cc WHERE cc.category_id = c.id) AS campaigns
      FROM categories c`)).map((r) => [r.id, { submissions: r.submissions, campaigns: r.campaigns }])),
  };
}
export type CategoryRepo = ReturnType<typeof createCategoryRepo>;
