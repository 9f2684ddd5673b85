import type { Db } from '../db/open-db';

export const PLACE_KINDS = ['district', 'subdistrict', 'community', 'grid', 'compound'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

export const PLACE_KIND_LABELS: Record<PlaceKind, string> = {
  district: '区', subdistrict: '街道', community: '社区', grid: '网格', compound: '楼院/小区',
};

/** Which kind of place may sit directly under which. Compounds sit in a community, beside its grids. */
export const PARENT_KIND: Record<PlaceKind, PlaceKind | null> = {
  district: null, subdistrict: 'district', community: 'subdistrict', grid: 'community', compound: 'community',
};

export interface Place {
  id: number;
  kind: PlaceKind;
  parentId: number | null;
  name: string;
  noPropertyCompany: boolean;
}

interface PlaceRow { id: number; kind: PlaceKind; parent_id: number | null; name: string; no_property_company: number }
const toPlace = (r: PlaceRow): Place => ({
  id: r.id, kind: r.kind, parentId: r.parent_id, name: r.name, noPropertyCompany: r.no_property_company === 1,
});

export function createPlaceRepo(db: Db) {
  const byId = db.prepare<[number], PlaceRow>('SELECT * FROM places WHERE id = ?');
  const all = db.prepare<[], PlaceRow>('SELECT * FROM places ORDER BY kind, parent_id, id');
  const children = db.prepare<[number], PlaceRow>('SELECT * FROM places WHERE parent_id = ? ORDER BY kind, id');
  const ofKind = db.prepare<[string], PlaceRow>('SELECT * FROM places WHERE kind = ? ORDER BY parent_id, id');
  const byName = db.prepare<[string, string], PlaceRow>('SELECT * FROM places WHERE kind = ? AND name = ? ORDER BY id LIMIT 1');
  const childByName = db.prepare<[number, string, string], PlaceRow>(
    'SELECT * FROM places WHERE parent_id = ? AND kind = ? AND name = ?');
  const insert = db.prepare('INSERT INTO places (kind, parent_id, name, no_property_company) VALUES (?, ?, ?, ?)');
  const update = db.prepare('UPDATE places SET name = ?, no_property_company = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM places WHERE id = ?');
  // Every community at or below a place (the place itself when it is a community).
  const communitiesUnder = db.prepare(`
    WITH RECURSIVE sub(id, kind) AS (
      SELECT id, kind FROM places WHERE id = ?
      UNION ALL SELECT p.id, p.kind FROM places p JOIN sub ON p.parent_id = sub.id WHERE sub.kind IN ('district', 'subdistrict')
    ) SELECT id FROM sub WHERE kind = 'community' ORDER BY id`).pluck();

  return {
    findById: (id: number) => { const r = byId.get(id); return r ? toPlace(r) : undefined; },
    list: () => all.all().map(toPlace),
    children: (id: number) => children.all(id).map(toPlace),
    ofKind: (kind: PlaceKind) => ofKind.all(kind).map(toPlace),
    findByName: (kind: PlaceKind, name: string) => { const r = byName.get(kind, name); return r ? toPlace(r) : undefined; },
    findChild: (parentId: number, kind: PlaceKind, name: string) => {
      const r = childByName.get(parentId, kind, name); return r ? toPlace(r) : undefined;
    },
    create(kind: PlaceKind, parentId: number | null, name: string, noPropertyCompany = false): number {
      return Number(insert.run(kind, parentId, name, noPropertyCompany ? 1 : 0).lastInsertRowid);
    },
    update: (id: number, name: string, noPropertyCompany: boolean) => { update.run(name, noPropertyCompany ? 1 : 0, id); },
    remove: (id: number) => { remove.run(id); },
    communityIdsUnder: (placeId: number) => communitiesUnder.all(placeId) as number[],
  };
}
export type PlaceRepo = ReturnType<typeof createPlaceRepo>;
