import type { User } from '../auth/roles';
import type { FieldErrors } from '../http/validate';
import { conflict, forbidden, invalid, notFound } from '../lib/errors';
import { PARENT_KIND, PLACE_KINDS, PLACE_KIND_LABELS, type Place, type PlaceKind, type PlaceRepo, type PlaceUsage } from './repo';

export interface PlaceNode extends Place {
  children: PlaceNode[];
  /** Whether the viewing user may rename/delete it (not their own scope place, which only an admin changes). */
  editable: boolean;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Most names a bulk add accepts at once: one community rarely has more than a few dozen grids or compounds. */
export const BULK_MAX_LINES = 200;
export const PLACE_NAME_MAX = 60;

/** The kinds that may be added directly under a place of this kind (null: at the top). */
export function childKindsOf(parentKind: PlaceKind | null): PlaceKind[] {
  return PLACE_KINDS.filter((k) => PARENT_KIND[k] === parentKind);
}

/** Splits "one name per line" text: trims, drops blank lines and repeats; reports over-long lines by number. */
export function parseNameLines(text: string): Result<string[]> {
  const lines = text.split(/\r\n|\r|\n/);
  const names: string[] = [];
  const tooLong: number[] = [];
  lines.forEach((raw, i) => {
    const name = raw.trim().replace(/\s+/g, ' ');
    if (!name) return;
    if (name.length > PLACE_NAME_MAX) tooLong.push(i + 1);
    else if (!names.includes(name)) names.push(name);
  });
  if (tooLong.length) return { ok: false, errors: { names: `第 ${tooLong.join('、')} 行太长（每个名称最多 ${PLACE_NAME_MAX} 个字）` } };
  if (names.length === 0) return { ok: false, errors: { names: '请至少填写一个名称，每行一个' } };
  if (names.length > BULK_MAX_LINES) return { ok: false, errors: { names: `一次最多添加 ${BULK_MAX_LINES} 个，请分批添加` } };
  return { ok: true, value: names };
}

/** Why a place cannot be deleted, in Chinese; empty when nothing refers to it. */
export function usageReasons(u: PlaceUsage): string[] {
  const r: string[] = [];
  if (u.children) r.push(`下面还有 ${u.children} 个下级地点`);
  if (u.campaigns) r.push(`被 ${u.campaigns} 个征求意见活动使用`);
  if (u.qrCodes) r.push(`有 ${u.qrCodes} 个二维码设在这里`);
  if (u.submissions) r.push(`有 ${u.submissions} 条居民意见记在这里`);
  if (u.users) r.push(`有 ${u.users} 个账号负责这里`);
  return r;
}

const kindOrder = (k: PlaceKind) => PLACE_KINDS.indexOf(k);

export function createPlaceService(deps: { places: PlaceRepo }) {
  const { places } = deps;

  /** The place below which a user manages the tree: null = everywhere (admin, or staff without a scope). */
  function rootOf(user: User): number | null {
    if (user.role === 'admin') return null;
    if (user.role === 'staff') return user.scopePlaceId;
    throw forbidden();
  }

  /** Whether `placeId` is `ancestorId` or lies below it. The tree is at most five levels deep. */
  function isWithin(placeId: number, ancestorId: number): boolean {
    let cur = places.findById(placeId);
    for (let depth = 0; cur && depth < 10; depth++) {
      if (cur.id === ancestorId) return true;
      cur = cur.parentId === null ? undefined : places.findById(cur.parentId);
    }
    return false;
  }

  const mayView = (user: User, place: Place) => { const root = rootOf(user); return root === null || isWithin(place.id, root); };
  /** Staff change places strictly below their scope place; their own sub-district or community is the admin's. */
  const mayEdit = (user: User, place: Place) => { const root = rootOf(user); return root === null || (place.id !== root && isWithin(place.id, root)); };
  const mayAddUnder = (user: User, parent: Place | null) => {
    const root = rootOf(user);
    return root === null || (parent !== null && isWithin(parent.id, root));
  };

  function get(user: User, id: number): Place {
    const place = places.findById(id);
    // Outside the user's scope answers like missing, so place ids cannot be probed.
    if (!place || !mayView(user, place)) throw notFound('地点');
    return place;
  }

  function editable(user: User, id: number): Place {
    const place = get(user, id);
    if (!mayEdit(user, place)) throw forbidden();
    return place;
  }

  function duplicateError(parentId: number | null, kind: PlaceKind, name: string, exceptId?: number): string | null {
    const same = parentId === null
      ? places.list().find((p) => p.parentId === null && p.kind === kind && p.name === name)
      : places.findChild(parentId, kind, name);
    if (!same || same.id === exceptId) return null;
    return `这一级已有名为「${name}」的${PLACE_KIND_LABELS[kind]}`;
  }

  return {
    rootOf,
    mayView,
    mayEdit,
    mayAddUnder,
    get,

    /** The place tree as the user may see it: everything for admins, their own sub-tree for scoped staff. */
    tree(user: User): PlaceNode[] {
      const root = rootOf(user);
      const all = places.list();
      const byParent = new Map<number | null, Place[]>();
      for (const p of all) {
        const list = byParent.get(p.parentId) ?? [];
        list.push(p);
        byParent.set(p.parentId, list);
      }
      const build = (p: Place): PlaceNode => ({
        ...p,
        editable: root === null || p.id !== root,
        children: (byParent.get(p.id) ?? []).sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.id - b.id).map(build),
      });
      if (root === null) return (byParent.get(null) ?? []).sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.id - b.id).map(build);
      const scopePlace = all.find((p) => p.id === root);
      return scopePlace ? [build(scopePlace)] : [];
    },

    /** Root-to-place chain, for breadcrumbs. */
    ancestors(place: Place): Place[] {
      const chain: Place[] = [];
      let cur = place.parentId === null ? undefined : places.findById(place.parentId);
      while (cur && chain.length < 10) {
        chain.unshift(cur);
        cur = cur.parentId === null ? undefined : places.findById(cur.parentId);
      }
      return chain;
    },

    children: (place: Place) => places.children(place.id).sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.id - b.id),
    usage: (place: Place) => places.usage(place.id),

    addChild(user: User, input: { parentId: number | null; kind: PlaceKind; name: string; noPropertyCompany: boolean }): Result<number> {
      const parent = input.parentId === null ? null : get(user, input.parentId);
      if (!mayAddUnder(user, parent)) throw forbidden();
      const allowed = childKindsOf(parent?.kind ?? null);
      if (!allowed.includes(input.kind)) {
        const where = parent ? `「${parent.name}」（${PLACE_KIND_LABELS[parent.kind]}）下` : '最上一级';
        return { ok: false, errors: { kind: allowed.length ? `${where}只能添加：${allowed.map((k) => PLACE_KIND_LABELS[k]).join('、')}` : `${where}不能再添加下级地点` } };
      }
      const dup = duplicateError(parent?.id ?? null, input.kind, input.name);
      if (dup) return { ok: false, errors: { name: dup } };
      const flag = input.kind === 'compound' && input.noPropertyCompany;
      return { ok: true, value: places.create(input.kind, parent?.id ?? null, input.name, flag) };
    },

    /** Adds many grids or compounds to one community; names that already exist there are skipped, not doubled. */
    bulkAdd(user: User, communityId: number, kind: PlaceKind, text: string): Result<{ added: string[]; skipped: string[] }> {
      const community = get(user, communityId);
      if (!mayAddUnder(user, community)) throw forbidden();
      if (community.kind !== 'community') throw invalid('只能为社区批量添加网格或楼院。');
      if (kind !== 'grid' && kind !== 'compound') return { ok: false, errors: { kind: '请选择网格或楼院/小区' } };
      const parsed = parseNameLines(text);
      if (!parsed.ok) return parsed;
      const skipped = parsed.value.filter((n) => places.findChild(community.id, kind, n));
      const added = parsed.value.filter((n) => !skipped.includes(n));
      places.createMany(kind, community.id, added);
      return { ok: true, value: { added, skipped } };
    },

    rename(user: User, id: number, name: string): Result<Place> {
      const place = editable(user, id);
      const dup = duplicateError(place.parentId, place.kind, name, place.id);
      if (dup) return { ok: false, errors: { name: dup } };
      places.update(place.id, name, place.noPropertyCompany);
      return { ok: true, value: { ...place, name } };
    },

    setNoPropertyCompany(user: User, id: number, flag: boolean): Place {
      const place = editable(user, id);
      if (place.kind !== 'compound') throw invalid('只有楼院/小区才有“无主管楼院”标记。');
      places.update(place.id, place.name, flag);
      return { ...place, noPropertyCompany: flag };
    },

    /** Deletes a place nobody refers to; otherwise says in Chinese what still uses it. */
    remove(user: User, id: number): Place {
      const place = editable(user, id);
      const reasons = usageReasons(places.usage(place.id));
      if (reasons.length) throw conflict(`不能删除「${place.name}」：${reasons.join('；')}。请先处理这些内容，或改名继续使用。`);
      try {
        places.remove(place.id);
      } catch (err) {
        // Tables added later (issues, claimers…) may refer to places too; the database has the last word.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw conflict(`不能删除「${place.name}」：还有其他记录在使用它。`);
        }
        throw err;
      }
      return place;
    },
  };
}
export type PlaceService = ReturnType<typeof createPlaceService>;
