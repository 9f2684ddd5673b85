import type { Db } from '../../src/db/open-db';
import { TEMPLATE_HEADERS } from '../../src/intake/import/columns';
import { activeCategoryIds, ensurePlace, ensureSubdistrict, insertCampaign } from './factories';

/** The places of ../shared/data/door-to-door-sample.*: 二七区 → 建中街街道 → five communities with their grids and compounds. */
export const SAMPLE_PLACES: Record<string, { grids: string[]; compounds: string[] }> = {
  永安社区: { grids: ['第一网格', '第二网格', '第三网格'], compounds: ['永安里小区', '永安南院'] },
  建华社区: { grids: ['第一网格', '第二网格'], compounds: ['建华北院', '建华南院'] },
  庆丰社区: { grids: ['第一网格', '第二网格'], compounds: ['庆丰小区', '庆丰东院'] },
  交通路社区: { grids: ['第一网格', '第四网格'], compounds: ['交通路32号院', '交通路8号院'] },
  铁路陇海家园社区: { grids: ['第一网格', '第二网格', '第三网格'], compounds: ['陇海家园'] },
};

export interface IntakeFixture {
  districtId: number;
  subdistrictId: number;
  /** community name → id */
  communities: Record<string, number>;
  /** "永安社区/第三网格" → id */
  grids: Record<string, number>;
  /** "永安社区/永安里小区" → id */
  compounds: Record<string, number>;
  campaignId: number;
}

/** Creates the sample's places and one open campaign covering all five communities with every default category. */
export function createIntakeFixture(db: Db, opts: { status?: 'draft' | 'open' | 'closed'; title?: string } = {}): IntakeFixture {
  const { districtId, subdistrictId } = ensureSubdistrict(db);
  const f: IntakeFixture = { districtId, subdistrictId, communities: {}, grids: {}, compounds: {}, campaignId: 0 };
  for (const [name, { grids, compounds }] of Object.entries(SAMPLE_PLACES)) {
    const cid = ensurePlace(db, 'community', subdistrictId, name);
    f.communities[name] = cid;
    for (const g of grids) f.grids[`${name}/${g}`] = ensurePlace(db, 'grid', cid, g);
    for (const c of compounds) f.compounds[`${name}/${c}`] = ensurePlace(db, 'compound', cid, c, c === '交通路32号院');
  }
  f.campaignId = insertCampaign(db, {
    subdistrictId, title: opts.title ?? '2023年11月入户走访', description: '', startsOn: '2023-11-01', endsOn: '2099-12-31',
    askPhoto: true, askContact: true, communityIds: Object.values(f.communities), categoryIds: activeCategoryIds(db),
    status: opts.status ?? 'open',
  });
  return f;
}

/**
 * The same places and campaign in plain SQL through `exec` (as test/helpers/engines.ts's, not imported: the
 * benchmarks compile this file without jest's types), for a database that is not a SQLite connection of the
 * test's own (PostgreSQL).
 */
export async function createIntakeFixtureOn(exec: (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>): Promise<IntakeFixture> {
  const idOf = async (sql: string, params: unknown[]) => Number((await exec(`${sql} RETURNING id`, params))[0].id);
  const place = (kind: string, parent: number | null, name: string, noProperty = false) =>
    idOf('INSERT INTO places (kind, parent_id, name, no_property_company) VALUES (?, ?, ?, ?)', [kind, parent, name, noProperty ? 1 : 0]);
  const districtId = await place('district', null, '二七区');
  const subdistrictId = await place('subdistrict', districtId, '建中街街道');
  const f: IntakeFixture = { districtId, subdistrictId, communities: {}, grids: {}, compounds: {}, campaignId: 0 };
  for (const [name, { grids, compounds }] of Object.entries(SAMPLE_PLACES)) {
    const cid = await place('community', subdistrictId, name);
    f.communities[name] = cid;
    for (const g of grids) f.grids[`${name}/${g}`] = await place('grid', cid, g);
    for (const c of compounds) f.compounds[`${name}/${c}`] = await place('compound', cid, c, c === '交通路32号院');
  }
  f.campaignId = await idOf(`INSERT INTO campaigns (subdistrict_id, title, description, starts_on, ends_on, status)
    VALUES (?, '2023年11月入户走访', '', '2023-11-01', '2099-12-31', 'open')`, [subdistrictId]);
  for (const c of Object.values(f.communities)) await exec('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)', [f.campaignId, c]);
  await exec('INSERT INTO campaign_categories (campaign_id, category_id) SELECT ?, id FROM categories WHERE active = 1', [f.campaignId]);
  return f;
}

/** Residents' words for generated rows (imports, and the mixed benchmark's residents). */
export const GENERATED_TEXTS = ['楼道声控灯坏了，晚上看不见', '小区垃圾清运不及时', '希望加装电梯', '暖气不热', '楼下车位太少，消防通道被占',
  '独居老人希望有人帮忙买菜', '孩子放学后没人看管', '希望组织书法班', '楼上装修噪音太大', '绿化带杂草丛生'];

/** Today in China, YYYY-MM-DD: a 走访日期 that goes in without confirmation. */
export const chinaToday = (): string => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

/** The import template's header row, as staff download it. */
export const IMPORT_HEADER = TEMPLATE_HEADERS.map((h) => h[1]);

/**
 * Row `i` of a generated import sheet in the template's columns, valid for createIntakeFixture's places: the five
 * communities in turn, 第一网格, visited today. `tag` keeps two sheets' rows (and keys) apart.
 */
export function generatedImportRow(i: number, tag: string): string[] {
  const community = Object.keys(SAMPLE_PLACES)[i % Object.keys(SAMPLE_PLACES).length];
  return [String(i + 1), chinaToday(), community, '第一网格', '', `${1 + (i % 30)}号楼`, `居民${tag}${i}`, '', '',
    `${GENERATED_TEXTS[i % GENERATED_TEXTS.length]}（${tag}第${i + 1}户）`, '否', '李娜', ''];
}

/** A generated import sheet of `rows` rows as CSV text (header first). */
export function generatedImportCsv(tag: string, rows: number): string {
  const lines = [IMPORT_HEADER.join(',')];
  for (let i = 0; i < rows; i++) lines.push(generatedImportRow(i, tag).join(','));
  return lines.join('\n') + '\n';
}
