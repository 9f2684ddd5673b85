import type { Engine } from '../db/engine';
import { isForeignKeyViolation } from '../db/dialect';
import type { FieldErrors } from '../http/validate';
import { conflict, notFound } from '../lib/errors';
import { createCategoryRepo, type Category, type CategoryRepo } from './repo';

export const CATEGORY_NAME_MAX = 20;

type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export const READ_ONLY_MESSAGE = '分类目录是全街道共用的，只有管理员和街道一级（或未设负责范围）的工作人员可以修改。如需调整，请联系街道工作人员。';

/** The list of ids after moving one a step up or down; unchanged at either end. */
export function moveInOrder(ids: number[], id: number, direction: 'up' | 'down'): number[] {
  const i = ids.indexOf(id);
  const j = direction === 'up' ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= ids.length) return ids;
  const next = [...ids];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

/**
 * The editable category list. Categories are never deleted once a campaign or submission uses them, only
 * deactivated: old submissions keep their category and new campaigns no longer offer it.
 */
export function createCategoryService(deps: { engine: Pick<Engine, 'unitOfWork'>; categories: CategoryRepo }) {
  const { categories } = deps;
  const get = async (id: number): Promise<Category> => {
    const c = await categories.findById(id);
    if (!c) throw notFound('分类');
    return c;
  };
  const duplicate = async (name: string, exceptId?: number) => {
    const same = await categories.findByName(name);
    return same && same.id !== exceptId ? { name: `已有名为「${name}」的分类${same.active ? '' : '（已停用，可重新启用）'}` } : null;
  };

  return {
    list: () => categories.list(),
    listActive: () => categories.listActive(),
    usageById: () => categories.usageById(),
    get,
    async add(name: string): Promise<Result<number>> {
      const dup = await duplicate(name);
      return dup ? { ok: false, errors: dup } : { ok: true, value: await categories.create(name) };
    },
    async rename(id: number, name: string): Promise<Result<Category>> {
      const c = await get(id);
      const dup = await duplicate(name, id);
      if (dup) return { ok: false, errors: dup };
      await categories.rename(id, name);
      return { ok: true, value: { ...c, name } };
    },
    async move(id: number, direction: 'up' | 'down'): Promise<Category> {
      const c = await get(id);
      const order = moveInOrder((await categories.list()).map((x) => x.id), id, direction);
      await deps.engine.unitOfWork((tx) => createCategoryRepo(tx).reorder(order));
      return c;
    },
    async setActive(id: number, active: boolean): Promise<Category> {
      const c = await get(id);
      if (active === false && (await categories.listActive()).length <= 1 && c.active) {
        throw conflict('至少要保留一个启用的分类，否则居民无法选择分类。');
      }
      await categories.setActive(id, active);
      return { ...c, active };
    },
    usage: async (id: number) => categories.usage((await get(id)).id),
    /** Only a category nothing refers to may be deleted (e.g. a typo just added); others are deactivated. */
    async remove(id: number): Promise<Category> {
      const c = await get(id);
      const u = await categories.usage(id);
      if (u.submissions || u.campaigns) {
        throw conflict(`分类「${c.name}」已被 ${u.campaigns} 个征求意见活动和 ${u.submissions} 条意见使用，不能删除。不再使用时请点“停用”。`);
      }
      try {
        await categories.remove(id);
      } catch (err) {
        if (isForeignKeyViolation(err)) {
          throw conflict(`分类「${c.name}」还被其他记录使用，不能删除。不再使用时请点“停用”。`);
        }
        throw err;
      }
      return c;
    },
  };
}
export type CategoryService = ReturnType<typeof createCategoryService>;
