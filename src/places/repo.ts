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

/** How many records refer to a place (children, campaigns, QR codes, submissions, user accounts). */
export interface PlaceUsage { children: number; campaigns: number; qrCodes: number; submissions: number; users: number }

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
  // What refers to a place; a place is deleted only when all of these are zero.
  const usage = db.prepare<[number, number, number, number, number, number, number, number, number], PlaceUsage>(`SELECT
    (SELECT COUNT(*) FROM places WHERE parent_id = ?) AS children,
    (SELECT COUNT(*) FROM campaigns WHERE subdistrict_id = ?)
      + (SELECT COUNT(*) FROM campaign_communities WHERE community_id = ?) AS campaigns,
    (SELECT COUNT(*) FROM qr_codes WHERE place_id = ?) AS qrCodes,
    (SELECT COUNT(*) FROM submissions WHERE community_id = ?)
      + (SELECT COUNT(*) FROM submissions WHERE grid_id = ?)
      + (SELECT COUNT(*) FROM submissions WHERE compound_id = ?) AS submissions,
    (SELECT COUNT(*) FROM users WHERE scope_place_id = ?)
      + (SELECT COUNT(*) FROM user_grids WHERE grid_id = ?) AS users`);

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
    usage: (id: number): PlaceUsage => usage.get(id, id, id, id, id, id, id, id, id)!,
    /** Adds many children in one transaction (bulk set-up of grids/compounds). */
    createMany: db.transaction((kind: PlaceKind, parentId: number, names: string[]): number[] =>
      names.map((n) => Number(insert.run(kind, parentId, n, 0).lastInsertRowid))),
  };
}
export type PlaceRepo = ReturnType<typeof createPlaceRepo>;
