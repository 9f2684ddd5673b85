import type { FieldErrors } from '../http/validate';
import { conflict, notFound } from '../lib/errors';
import type { Category, CategoryRepo } from './repo';

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
export function createCategoryService(deps: { categories: CategoryRepo }) {
  const { categories } = deps;
  const get = (id: number): Category => {
    const c = categories.findById(id);
    if (!c) throw notFound('分类');
    return c;
  };
  const duplicate = (name: string, exceptId?: number) => {
    const same = categories.findByName(name);
    return same && same.id !== exceptId ? { name: `已有名为「${name}」的分类${same.active ? '' : '（已停用，可重新启用）'}` } : null;
  };

  return {
    list: () => categories.list(),
    listActive: () => categories.listActive(),
    usageById: () => categories.usageById(),
    get,
    add(name: string): Result<number> {
      const dup = duplicate(name);
      return dup ? { ok: false, errors: dup } : { ok: true, value: categories.create(name) };
    },
    rename(id: number, name: string): Result<Category> {
      const c = get(id);
      const dup = duplicate(name, id);
      if (dup) return { ok: false, errors: dup };
      categories.rename(id, name);
      return { ok: true, value: { ...c, name } };
    },
    move(id: number, direction: 'up' | 'down'): Category {
      const c = get(id);
      categories.reorder(moveInOrder(categories.list().map((x) => x.id), id, direction));
      return c;
    },
    setActive(id: number, active: boolean): Category {
      const c = get(id);
      if (active === false && categories.listActive().length <= 1 && c.active) {
        throw conflict('至少要保留一个启用的分类，否则居民无法选择分类。');
      }
      categories.setActive(id, active);
      return { ...c, active };
    },
    usage: (id: number) => categories.usage(get(id).id),
    /** Only a category nothing refers to may be deleted (e.g. a typo just added); others are deactivated. */
    remove(id: number): Category {
      const c = get(id);
      const u = categories.usage(id);
      if (u.submissions || u.campaigns) {
        throw conflict(`分类「${c.name}」已被 ${u.campaigns} 个征求意见活动和 ${u.submissions} 条意见使用，不能删除。不再使用时请点“停用”。`);
      }
      try {
        categories.remove(id);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw conflict(`分类「${c.name}」还被其他记录使用，不能删除。不再使用时请点“停用”。`);
        }
        throw err;
      }
      return c;
    },
  };
}
export type CategoryService = ReturnType<typeof createCategoryService>;
