import type { User } from '../auth/roles';
import type { Engine } from '../db/engine';
import { isForeignKeyViolation } from '../db/dialect';
import type { FieldErrors } from '../http/validate';
import { conflict, forbidden, invalid, notFound } from '../lib/errors';
import { PARENT_KIND, PLACE_KINDS, PLACE_KIND_LABELS, type Place, type PlaceKind, type PlaceRepo, type PlaceUsage, createPlaceRepo } from './repo';

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

export function createPlaceService(deps: { engine: Pick<Engine, 'unitOfWork'>; places: PlaceRepo }) {
  const { places } = deps;

  /** The place below which a user manages the tree: null = everywhere (admin, or staff without a scope). */
  function rootOf(user: User): number | null {
    if (user.role === 'admin') return null;
    if (user.role === 'staff') return user.scopePlaceId;
    throw forbidden();
  }

  /** Whether `placeId` is `ancestorId` or lies below it. The tree is at most five levels deep. */
  async function isWithin(placeId: number, ancestorId: number): Promise<boolean> {
    let cur = await places.findById(placeId);
    for (let depth = 0; cur && depth < 10; depth++) {
      if (cur.id === ancestorId) return true;
      cur = cur.parentId === null ? undefined : await places.findById(cur.parentId);
    }
    return false;
  }

  const mayView = async (user: User, place: Place) => { const root = rootOf(user); return root === null || await isWithin(place.id, root); };
  /** Staff change places strictly below their scope place; their own sub-district or community is the admin's. */
  const mayEdit = async (user: User, place: Place) => { const root = rootOf(user); return root === null || (place.id !== root && await isWithin(place.id, root)); };
  const mayAddUnder = async (user: User, parent: Place | null) => {
    const root = rootOf(user);
    return root === null || (parent !== null && await isWithin(parent.id, root));
  };

  async function get(user: User, id: number): Promise<Place> {
    const place = await places.findById(id);
    // Outside the user's scope answers like missing, so place ids cannot be probed.
    if (!place || !(await mayView(user, place))) throw notFound('地点');
    return place;
  }

  async function editable(user: User, id: number): Promise<Place> {
    const place = await get(user, id);
    if (!(await mayEdit(user, place))) throw forbidden();
    return place;
  }

  async function duplicateError(parentId: number | null, kind: PlaceKind, name: string, exceptId?: number): Promise<string | null> {
    const same = parentId === null
      ? (await places.list()).find((p) => p.parentId === null && p.kind === kind && p.name === name)
      : await places.findChild(parentId, kind, name);
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
    async tree(user: User): Promise<PlaceNode[]> {
      const root = rootOf(user);
      const all = await places.list();
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
    async ancestors(place: Place): Promise<Place[]> {
      const chain: Place[] = [];
      let cur = place.parentId === null ? undefined : await places.findById(place.parentId);
      while (cur && chain.length < 10) {
        chain.unshift(cur);
        cur = cur.parentId === null ? undefined : await places.findById(cur.parentId);
      }
      return chain;
    },

    children: async (place: Place) => (await places.children(place.id)).sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.id - b.id),
    usage: (place: Place) => places.usage(place.id),

    async addChild(user: User, input: { parentId: number | null; kind: PlaceKind; name: string; noPropertyCompany: boolean }): Promise<Result<number>> {
      const parent = input.parentId === null ? null : await get(user, input.parentId);
      if (!(await mayAddUnder(user, parent))) throw forbidden();
      const allowed = childKindsOf(parent?.kind ?? null);
      if (!allowed.includes(input.kind)) {
        const where = parent ? `「${parent.name}」（${PLACE_KIND_LABELS[parent.kind]}）下` : '最上一级';
        return { ok: false, errors: { kind: allowed.length ? `${where}只能添加：${allowed.map((k) => PLACE_KIND_LABELS[k]).join('、')}` : `${where}不能再添加下级地点` } };
      }
      const dup = await duplicateError(parent?.id ?? null, input.kind, input.name);
      if (dup) return { ok: false, errors: { name: dup } };
      const flag = input.kind === 'compound' && input.noPropertyCompany;
      return { ok: true, value: await places.create(input.kind, parent?.id ?? null, input.name, flag) };
    },

    /** Adds many grids or compounds to one community; names that already exist there are skipped, not doubled. */
    async bulkAdd(user: User, communityId: number, kind: PlaceKind, text: string): Promise<Result<{ added: string[]; skipped: string[] }>> {
      const community = await get(user, communityId);
      if (!(await mayAddUnder(user, community))) throw forbidden();
      if (community.kind !== 'community') throw invalid('只能为社区批量添加网格或楼院。');
      if (kind !== 'grid' && kind !== 'compound') return { ok: false, errors: { kind: '请选择网格或楼院/小区' } };
      const parsed = parseNameLines(text);
      if (!parsed.ok) return parsed;
      const skipped: string[] = [];
      for (const n of parsed.value) if (await places.findChild(community.id, kind, n)) skipped.push(n);
      const added = parsed.value.filter((n) => !skipped.includes(n));
      await deps.engine.unitOfWork((tx) => createPlaceRepo(tx).createMany(kind, community.id, added));
      return { ok: true, value: { added, skipped } };
    },

    async rename(user: User, id: number, name: string): Promise<Result<Place>> {
      const place = await editable(user, id);
      const dup = await duplicateError(place.parentId, place.kind, name, place.id);
      if (dup) return { ok: false, errors: { name: dup } };
      await places.update(place.id, name, place.noPropertyCompany);
      return { ok: true, value: { ...place, name } };
    },

    async setNoPropertyCompany(user: User, id: number, flag: boolean): Promise<Place> {
      const place = await editable(user, id);
      if (place.kind !== 'compound') throw invalid('只有楼院/小区才有“无主管楼院”标记。');
      await places.update(place.id, place.name, flag);
      return { ...place, noPropertyCompany: flag };
    },

    /** Deletes a place nobody refers to; otherwise says in Chinese what still uses it. */
    async remove(user: User, id: number): Promise<Place> {
      const place = await editable(user, id);
      const reasons = usageReasons(await places.usage(place.id));
      if (reasons.length) throw conflict(`不能删除「${place.name}」：${reasons.join('；')}。请先处理这些内容，或改名继续使用。`);
      try {
        await places.remove(place.id);
      } catch (err) {
        // Tables added later (issues, claimers…) may refer to places too; the database has the last word.
        if (isForeignKeyViolation(err)) {
          throw conflict(`不能删除「${place.name}」：还有其他记录在使用它。`);
        }
        throw err;
      }
      return place;
    },
  };
}
export type PlaceService = ReturnType<typeof createPlaceService>;
