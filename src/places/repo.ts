import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';

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

export function createPlaceRepo(on: Queries) {
  const place = async (query: ReturnType<typeof sql<PlaceRow>>) => { const r = await one<PlaceRow>(on, query); return r ? toPlace(r) : undefined; };
  const places = async (query: ReturnType<typeof sql<PlaceRow>>) => (await all<PlaceRow>(on, query)).map(toPlace);
  const insert = async (kind: PlaceKind, parentId: number | null, name: string, noPropertyCompany: boolean): Promise<number> =>
    (await one<{ id: number }>(on, sql`INSERT INTO places (kind, parent_id, name, no_property_company)
      VALUES (${kind}, ${parentId}, ${name}, ${noPropertyCompany ? 1 : 0}) RETURNING id`))!.id;

  return {
    findById: (id: number): Promise<Place | undefined> => place(sql<PlaceRow>`SELECT * FROM places WHERE id = ${id}`),
    list: (): Promise<Place[]> => places(sql<PlaceRow>`SELECT * FROM places ORDER BY kind, parent_id, id`),
    children: (id: number): Promise<Place[]> => places(sql<PlaceRow>`SELECT * FROM places WHERE parent_id = ${id} ORDER BY kind, id`),
    ofKind: (kind: PlaceKind): Promise<Place[]> => places(sql<PlaceRow>`SELECT * FROM places WHERE kind = ${kind} ORDER BY parent_id, id`),
    findByName: (kind: PlaceKind, name: string): Promise<Place | undefined> =>
      place(sql<PlaceRow>`SELECT * FROM places WHERE kind = ${kind} AND name = ${name} ORDER BY id LIMIT 1`),
    findChild: (parentId: number, kind: PlaceKind, name: string): Promise<Place | undefined> =>
      place(sql<PlaceRow>`SELECT * FROM places WHERE parent_id = ${parentId} AND kind = ${kind} AND name = ${name}`),
    create: (kind: PlaceKind, parentId: number | null, name: string, noPropertyCompany = false): Promise<number> =>
      insert(kind, parentId, name, noPropertyCompany),
    update: async (id: number, name: string, noPropertyCompany: boolean): Promise<void> => {
      await run(on, sql`UPDATE places SET name = ${name}, no_property_company = ${noPropertyCompany ? 1 : 0} WHERE id = ${id}`);
    },
    remove: async (id: number): Promise<void> => { await run(on, sql`DELETE FROM places WHERE id = ${id}`); },
    /** Every community at or below a place (the place itself when it is a community). */
    communityIdsUnder: async (placeId: number): Promise<number[]> => (await all<{ id: number }>(on, sql`
      WITH RECURSIVE sub(id, kind) AS (
        SELECT id, kind FROM places WHERE id = ${placeId}
        UNION ALL SELECT p.id, p.kind FROM places p JOIN sub ON p.parent_id = sub.id WHERE sub.kind IN ('district', 'subdistrict')
      ) SELECT id FROM sub WHERE kind = 'community' ORDER BY id`)).map((r) => r.id),
    /** What refers to a place; a place is deleted only when all of these are zero. */
    usage: async (id: number): Promise<PlaceUsage> => (await one<PlaceUsage>(on, sql`SELECT
      (SELECT COUNT(*) FROM places WHERE parent_id = ${id}) AS children,
      (SELECT COUNT(*) FROM campaigns WHERE subdistrict_id = ${id})
        + (SELECT COUNT(*) FROM campaign_communities WHERE community_id = ${id}) AS campaigns,
      (SELECT COUNT(*) FROM qr_codes WHERE place_id = ${id}) AS "qrCodes",
      (SELECT COUNT(*) FROM submissions WHERE community_id = ${id})
        + (SELECT COUNT(*) FROM submissions WHERE grid_id = ${id})
        + (SELECT COUNT(*) FROM submissions WHERE compound_id = ${id}) AS submissions,
      (SELECT COUNT(*) FROM users WHERE scope_place_id = ${id})
        + (SELECT COUNT(*) FROM user_grids WHERE grid_id = ${id}) AS users`))!,
    /** Adds many children (bulk set-up of grids/compounds); in the caller's unit of work, so all or none. */
    async createMany(kind: PlaceKind, parentId: number, names: readonly string[]): Promise<number[]> {
      const ids: number[] = [];
      for (const n of names) ids.push(await insert(kind, parentId, n, false));
      return ids;
    },
  };
}
export type PlaceRepo = ReturnType<typeof createPlaceRepo>;
