import type { Db } from '../db/open-db';
import { bumpGeneration } from '../db/generation';

export interface Category { id: number; name: string; sortOrder: number; active: boolean }

interface Row { id: number; name: string; sort_order: number; active: number }
const toCategory = (r: Row): Category => ({ id: r.id, name: r.name, sortOrder: r.sort_order, active: r.active === 1 });

export function createCategoryRepo(db: Db) {
  const all = db.prepare<[], Row>('SELECT * FROM categories ORDER BY sort_order, id');
  const active = db.prepare<[], Row>('SELECT * FROM categories WHERE active = 1 ORDER BY sort_order, id');
  const byId = db.prepare<[number], Row>('SELECT * FROM categories WHERE id = ?');
  const byName = db.prepare<[string], Row>('SELECT * FROM categories WHERE name = ?');
  const maxOrder = db.prepare('SELECT COALESCE(MAX(sort_order), 0) FROM categories').pluck();
  const insert = db.prepare('INSERT INTO categories (name, sort_order) VALUES (?, ?)');
  const rename = db.prepare('UPDATE categories SET name = ? WHERE id = ?');
  const setOrder = db.prepare('UPDATE categories SET sort_order = ? WHERE id = ?');
  const setActive = db.prepare('UPDATE categories SET active = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM categories WHERE id = ?');
  const usage = db.prepare<[number, number], { submissions: number; campaigns: number }>(`SELECT
    (SELECT COUNT(*) FROM submissions WHERE category_id = ?) AS submissions,
    (SELECT COUNT(*) FROM campaign_categories WHERE category_id = ?) AS campaigns`);
  const usageAll = db.prepare<[], { id: number; submissions: number; campaigns: number }>(`SELECT c.id,
    (SELECT COUNT(*) FROM submissions s WHERE s.category_id = c.id) AS submissions,
    (SELECT COUNT(*) FROM campaign_categories cc WHERE cc.category_id = c.id) AS campaigns
    FROM categories c`);

  return {
    list: () => all.all().map(toCategory),
    listActive: () => active.all().map(toCategory),
    findById: (id: number) => { const r = byId.get(id); return r ? toCategory(r) : undefined; },
    findByName: (name: string) => { const r = byName.get(name); return r ? toCategory(r) : undefined; },
    /** New categories go to the end of the list. */
    create: (name: string) => {
      bumpGeneration(db);
      return Number(insert.run(name, (maxOrder.get() as number) + 10).lastInsertRowid);
    },
    rename: (id: number, name: string) => { bumpGeneration(db); rename.run(name, id); },
    setActive: (id: number, isActive: boolean) => { bumpGeneration(db); setActive.run(isActive ? 1 : 0, id); },
    /** Rewrites every sort_order in the given id order (10, 20, …) in one transaction. */
    reorder: db.transaction((ids: number[]) => { bumpGeneration(db); ids.forEach((id, i) => setOrder.run((i + 1) * 10, id)); }),
    remove: (id: number) => { bumpGeneration(db); remove.run(id); },
    usage: (id: number) => usage.get(id, id)!,
    /** Usage of every category at once, for the list page. */
    usageById: () => new Map(usageAll.all().map((r) => [r.id, { submissions: r.submissions, campaigns: r.campaigns }])),
  };
}
export type CategoryRepo = ReturnType<typeof createCategoryRepo>;
