/**
 * The PostgreSQL schema (src/db/migrations/postgres/) against the SQLite one it mirrors: the migrations apply once,
 * also with two servers starting together; every SQLite table, column, key, index and trigger has its twin; and the
 * same rows written to both engines give the same dashboard counts, search results and appeal outcomes.
 */
import type pg from 'pg';
import { SEED_CORPUS } from '../../src/classify/seed-corpus';
import { loadMigrations, MigrationError } from '../../src/db/migrate';
import { openDb, type Db } from '../../src/db/open-db';
import { loadPostgresMigrations, migratePostgres, pendingPostgresMigrations } from '../../src/db/postgres/migrate';
import { createPgPool } from '../../src/db/postgres/pool';
import { matchQuery, searchTokens } from '../../src/db/search-tokens';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

const shipped = loadPostgresMigrations();
const names = shipped.map((m) => m.name);

/** Fresh databases and their pools, all dropped after the file. */
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
async function freshPool(): Promise<{ pool: pg.Pool; url: string }> {
  const db = await freshPostgresDatabase();
  cleanups.push(db.drop);
  const pool = createPgPool(db.url, { max: 2 });
  cleanups.push(() => pool.end());
  return { pool, url: db.url };
}

describe('PostgreSQL migrations', () => {
  it('have the same numbers and file names as the SQLite ones (a new SQLite migration needs its twin in postgres/)', () => {
    expect(names).toEqual(loadMigrations().map((m) => m.name));
  });
});

describeOnPostgres('PostgreSQL migrations on a server', () => {
  it('all apply on a fresh database, are recorded, and a second run applies nothing', async () => {
    const { pool } = await freshPool();
    expect((await pendingPostgresMigrations(pool)).map((m) => m.name)).toEqual(names);
    expect(await migratePostgres(pool)).toEqual(names);
    expect(await migratePostgres(pool)).toEqual([]);
    expect(await pendingPostgresMigrations(pool)).toEqual([]);
    const { rows } = await pool.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.name)).toEqual(names);
    expect(rows.map((r) => r.version)).toEqual(shipped.map((m) => m.version));
    for (const r of rows) expect(r.applied_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('the pool reads bigint, numeric sums and bigint arrays as numbers, and refuses to round one beyond 2^53', async () => {
    const { pool } = await freshPool();
    const { rows } = await pool.query('SELECT 42::bigint AS id, SUM(x) AS total, array_agg(x) AS ids FROM unnest(ARRAY[1, 2]::bigint[]) AS x');
    expect(rows[0]).toEqual({ id: 42, total: 3, ids: [1, 2] });
    await expect(pool.query('SELECT 9007199254740993::bigint AS id')).rejects.toThrow(RangeError);
    expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('two servers starting at once on a fresh database both succeed, and each migration is applied once', async () => {
    const { pool, url } = await freshPool();
    const other = createPgPool(url, { max: 1 });
    try {
      const [a, b] = await Promise.all([migratePostgres(pool), migratePostgres(other)]);
      expect([a, b].map((applied) => applied.length).sort((x, y) => x - y)).toEqual([0, names.length]);
      expect((await pool.query('SELECT COUNT(*) AS n FROM schema_migrations')).rows[0].n).toBe(names.length);
    } finally {
      await other.end();
    }
  });

  it('a failing migration undoes the whole upgrade and says which one failed, in both languages', async () => {
    const { pool } = await freshPool();
    const broken = { version: 900, name: '900_broken.sql', sql: 'CREATE TABLE half_done (id integer); INSERT INTO no_such_table VALUES (1);' };
    const error = await migratePostgres(pool, [...shipped, broken]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('900_broken.sql');
    expect((error as MigrationError).message).toMatch(/数据库升级失败：迁移 900_broken\.sql 出错.*no_such_table.*Upgrade failed/);
    const left = (await pool.query("SELECT to_regclass('places') AS places, to_regclass('schema_migrations') AS log")).rows[0];
    expect(left).toEqual({ places: null, log: null });
    expect(await pendingPostgresMigrations(pool, [...shipped, broken])).toHaveLength(shipped.length + 1);
  });
});

// ---- the schema, table by table ----

interface Column { name: string; notNull: boolean; hasDefault: boolean }

/** SQLite's own tables: not its internals, nor the FTS5 virtual tables and their shadow tables (PostgreSQL has tsvector tables instead). */
function sqliteTables(db: Db): string[] {
  const all = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    .all() as Array<{ name: string; sql: string }>;
  const virtual = all.filter((t) => /^CREATE VIRTUAL TABLE/i.test(t.sql)).map((t) => t.name);
  return all.map((t) => t.name).filter((n) => !virtual.some((v) => n === v || n.startsWith(`${v}_`)));
}

function sqliteColumns(db: Db, table: string): Column[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; notnull: number; pk: number; dflt_value: unknown }>)
    // A primary key column holds no NULL (in PostgreSQL it is NOT NULL outright).
    .map((c) => ({ name: c.name, notNull: c.notnull === 1 || c.pk > 0, hasDefault: c.dflt_value !== null }));
}

/** Unique keys (primary keys included) as 'table(col, …)', partial ones with their condition noted. */
function sqliteUniqueKeys(db: Db, table: string): string[] {
  const pk = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; pk: number }>)
    .filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const keys = (db.prepare(`PRAGMA index_list(${table})`).all() as Array<{ name: string; unique: number; partial: number }>)
    .filter((i) => i.unique === 1)
    .map((i) => `${table}(${(db.prepare(`PRAGMA index_info(${i.name})`).all() as Array<{ seqno: number; name: string }>)
      .sort((a, b) => a.seqno - b.seqno).map((c) => c.name).join(', ')})${i.partial ? ' partial' : ''}`);
  return [...new Set([...(pk.length ? [`${table}(${pk.join(', ')})`] : []), ...keys])].sort();
}

const SHARDED = ['submission_counts_category', 'submission_counts_daily', 'submission_counts_qr'];
const PG_SEARCH_TABLES = ['issues_fts', 'submissions_fts'];

describeOnPostgres('the PostgreSQL schema and triggers match SQLite', () => {
  let sqlite: Db;
  let pool: pg.Pool;
  beforeAll(async () => {
    sqlite = openDb({ file: ':memory:' });
    ({ pool } = await freshPool());
    await migratePostgres(pool);
  });
  afterAll(() => sqlite.close());

  const pgAll = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];

  it('has every SQLite table with the same columns, in the same order, NOT NULL and defaults', async () => {
    const cols = await pgAll<{ table_name: string; column_name: string; is_nullable: string; column_default: string | null }>(
      `SELECT table_name, column_name, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
    const pgTables = new Map<string, Column[]>();
    for (const c of cols) {
      if (!pgTables.has(c.table_name)) pgTables.set(c.table_name, []);
      pgTables.get(c.table_name)!.push({ name: c.column_name, notNull: c.is_nullable === 'NO', hasDefault: c.column_default !== null });
    }
    const tables = sqliteTables(sqlite);
    expect(tables).toEqual(expect.arrayContaining(['submissions', 'schema_migrations', ...SHARDED]));
    // PostgreSQL's only extra tables: the search index, which SQLite keeps in FTS5 virtual tables.
    expect([...pgTables.keys()].sort()).toEqual([...tables, ...PG_SEARCH_TABLES].sort());
    for (const table of tables) {
      const pgColumns = pgTables.get(table)!;
      // The one intended difference: the count tables have a `shard` column in their primary key (concurrent
      // writers spread over 8 rows per count; readers SUM(n) over it).
      if (SHARDED.includes(table)) {
        expect({ table, shard: pgColumns.find((c) => c.name === 'shard') }).toEqual({ table, shard: { name: 'shard', notNull: true, hasDefault: false } });
      }
      expect({ table, columns: pgColumns.filter((c) => !(SHARDED.includes(table) && c.name === 'shard')) })
        .toEqual({ table, columns: sqliteColumns(sqlite, table) });
    }
  });

  it('has the same unique keys, foreign keys (with their ON DELETE), indexes and triggers', async () => {
    const tables = sqliteTables(sqlite);
    const pgUnique = await pgAll<{ key: string }>(
      `SELECT c.relname || '(' || (SELECT string_agg(a.attname, ', ' ORDER BY k.i) FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, i)
           JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
         || ')' || CASE WHEN x.indpred IS NULL THEN '' ELSE ' partial' END AS key
       FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
       WHERE x.indisunique AND c.relnamespace = current_schema()::regnamespace`);
    const sharded = (key: string) => key.replace(/, shard\)/, ')');
    expect(pgUnique.map((r) => sharded(r.key)).filter((k) => !PG_SEARCH_TABLES.some((t) => k.startsWith(`${t}(`))).sort())
      .toEqual(tables.flatMap((t) => sqliteUniqueKeys(sqlite, t)).sort());

    const DELETE_RULE: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };
    const pgForeign = (await pgAll<{ t: string; col: string; ref: string; refcol: string; del: string }>(
      `SELECT c.relname AS t, a.attname AS col, r.relname AS ref, ra.attname AS refcol, k.confdeltype AS del
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
       JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]
       WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`))
      .map((f) => `${f.t}.${f.col} → ${f.ref}.${f.refcol} ON DELETE ${DELETE_RULE[f.del]}`).sort();
    const sqliteForeign = tables.flatMap((t) => (sqlite.prepare(`PRAGMA foreign_key_list(${t})`).all() as Array<{ table: string; from: string; to: string | null; on_delete: string }>)
      .map((f) => `${t}.${f.from} → ${f.table}.${f.to ?? 'id'} ON DELETE ${f.on_delete}`)).sort();
    expect(pgForeign).toEqual(sqliteForeign);

    // Indexes made by CREATE INDEX (not those behind a key), and triggers, by name.
    const pgIndexes = (await pgAll<{ name: string }>(
      `SELECT c.relname AS name FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
       WHERE c.relnamespace = current_schema()::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`))
      .map((r) => r.name).sort();
    const sqliteIndexes = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").pluck().all() as string[];
    expect(pgIndexes).toEqual([...sqliteIndexes, 'issues_fts_body', 'submissions_fts_body'].sort());
    const pgTriggers = (await pgAll<{ name: string }>(
      `SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`)).map((r) => r.name).sort();
    expect(pgTriggers).toEqual((sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]).sort());
  });

  it("ls_search_tokens() gives searchTokens()'s words for Chinese, latin, digits, punctuation and the seed corpus", async () => {
    const mixed = [
      '', ' ', '！？。，、；：“”', '电', '电梯', '电梯坏了', '3号楼2单元的电梯坏了三天', 'Wi-Fi 信号差', 'ＷＩＦＩ密码１２３４',
      'LED灯坏了3盏', 'e-mail: wang.li@example.com', 'http://example.com/a?b=1', '1,234.56元', '⑫号楼 ②单元 Ⅻ', 'x²+y³=z¹',
      'İstanbul ΟΔΟΣ Straße', 'Cafe\u0301 café', 'ﬁnancial ﬀ', 'ｶﾀｶﾅ ひらがな カタカナ', '한국어 텍스트', '٣٤٥ ١٢', 'Привет, МИР',
      '々〇〡〺 ⺀⺁', '𠀀𠀁𠀂 𪜶', '﨑山 髙橋', '电梯坏了😡😡 ！！', '路灯\t不亮\n晚上\u3000很黑', 'a', '1', 'abc123def 456',
      '〇〇七', '卍', 'Ⅷ號', '零一二三 一二三', '¼ ½ ¾', '⁂※', '《电梯》【维修】', 'テスト123テスト', 'ab\u200bcd', 'मराठी भाषा',
      'ไทย ภาษา', 'עברית', 'ℌℑℜ', 'Ǆǅǆ', 'ᾼ ΐ', 'K Å', '𝐀𝐁𝐂 𝟏𝟐𝟑',
    ];
    const corpus = [...mixed, ...Object.values(SEED_CORPUS).flat()];
    const rows = await pgAll<{ tokens: string }>(
      'SELECT ls_search_tokens(t) AS tokens FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i', [corpus]);
    const differ = corpus.map((text, i) => ({ text, js: searchTokens(text), pg: rows[i].tokens })).filter((d) => d.js !== d.pg);
    expect(differ).toEqual([]);
    expect((await pgAll<{ t: string }>('SELECT ls_search_tokens(NULL) AS t'))[0].t).toBe('');
  });

  it("ls_date() reads time strings as SQLite's date() does, with and without '+8 hours'", async () => {
    const inputs = [
      '2026-03-01', '2026-03-01T15:59:59.999Z', '2026-03-01T16:00:00Z', '2026-03-01 16:00', '2026-03-01 16:00:00',
      '2026-03-01T23:30:00-02:00', '2026-03-01T01:00:00+08:00', '2026-03-01 10:00 +08:00', '2026-03-01T10:00:00.123456789Z',
      '2026-02-29', '2026-02-30', '2024-02-29T20:00:00Z', '2026-12-31T16:00:00.000Z', '2026-03-01T24:00', '2026-03-0110:00',
      '2026-03-01 ', '2026-03-01T', '2026-03-01  T 10:00', '2026-03-01 10:00Z ', '2026-03-01t10:00', '2026-3-1', '2026-03-01Z',
      '2026-03-01T10:00:00.', '2026-03-01T10:00:60', '2026-13-01', '2026-00-10', '2026-03-32', '2026-03-01T10:00+15:00',
      '2026-03-28T24:00', '2026-03-29T24:00', '2026-03-01T24:00Z', '2026-03-01T24:00+00:00', '2026-03-01T24:00+01:00',
      '2026-02-29T10:00', '2026-03-01 23:59:59.9999', '2026-03-01T16:00:00+00:30', '0001-01-01', '9999-12-31T20:00Z',
      'not a date', '', null,
    ];
    const rows = await pgAll<{ d: string | null; d8: string | null }>(
      "SELECT ls_date(t) AS d, ls_date(t, '8 hours') AS d8 FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i", [inputs]);
    const sqliteDate = sqlite.prepare("SELECT date(?) AS d, date(?, '+8 hours') AS d8");
    expect(inputs.map((t, i) => ({ t, ...rows[i] }))).toEqual(inputs.map((t) => ({ t, ...(sqliteDate.get(t, t) as object) })));
  });

  it('the same writes give the same dashboard counts (summed over shards), search results and appeal outcomes', async () => {
    // The same statements on both, with ? placeholders (PostgreSQL's $n made from them); inserts RETURNING their ids.
    const run = async (sql: string, params: unknown[] = []) => {
      const stmt = sqlite.prepare(sql);
      const onSqlite = (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as Array<Record<string, unknown>>;
      let n = 0;
      const onPg = (await pool.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
      return { onSqlite, onPg };
    };
    const id = async (sql: string, params: unknown[] = []) => {
      const { onSqlite, onPg } = await run(`${sql} RETURNING id`, params);
      expect(onPg[0].id).toBe(onSqlite[0].id);
      return onSqlite[0].id as number;
    };

    const place = (kind: string, parent: number | null, name: string) => id('INSERT INTO places (kind, parent_id, name) VALUES (?, ?, ?)', [kind, parent, name]);
    const district = await place('district', null, '二七区');
    const subdistrict = await place('subdistrict', district, '建中街街道');
    const yongan = await place('community', subdistrict, '永安社区');
    const qingfeng = await place('community', subdistrict, '庆丰社区');
    const staff = await id("INSERT INTO users (username, display_name, password_hash, role) VALUES ('Staff1', '王工', 'x', 'staff')");
    const campaign = (title: string) => id(`INSERT INTO campaigns (subdistrict_id, title, starts_on, ends_on, status)
      VALUES (?, ?, '2026-03-01', '2026-03-31', 'open')`, [subdistrict, title]);
    const c1 = await campaign('春季征求意见');
    const c2 = await campaign('夏季征求意见');
    const qr1 = await id("INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES (?, 'tok1', '3号楼公告栏', ?)", [c1, yongan]);
    const qr2 = await id("INSERT INTO qr_codes (campaign_id, token, label) VALUES (?, 'tok2', '小区门口')", [c2]);
    const [cat1, cat2, cat3] = (await run('SELECT id FROM categories ORDER BY sort_order LIMIT 3')).onSqlite.map((r) => r.id as number);

    let seq = 0;
    const submission = (s: { campaign: number; qr?: number; kind?: string; channel?: string; category?: number; community?: number;
      collectedOn?: string; createdAt?: string; text: string; building?: string; reply?: string }) => {
      seq++;
      const values = [s.campaign, s.qr ?? null, `R${seq}`, `k${seq}`, s.kind ?? 'suggestion', s.channel ?? 'online', s.category ?? null,
        s.community ?? null, s.collectedOn ?? null, s.text, s.building ?? null, s.reply ?? null];
      const columns = 'campaign_id, qr_code_id, receipt_code, idempotency_key, kind, channel, category_id, community_id, collected_on, text, building, reply';
      return s.createdAt === undefined
        ? id(`INSERT INTO submissions (${columns}) VALUES (${values.map(() => '?').join(', ')})`, values)
        : id(`INSERT INTO submissions (${columns}, created_at) VALUES (${values.map(() => '?').join(', ')}, ?)`, [...values, s.createdAt]);
    };
    // Received just before and just after midnight China time; collected on a day of its own; an impossible day
    // SQLite rolls over (02-30 → 03-02); a time zone; a collected_on SQLite cannot read (falls back to created_at).
    const s1 = await submission({ campaign: c1, qr: qr1, category: cat1, community: yongan, createdAt: '2026-03-01T15:59:59.000Z', text: '楼道灯坏了，晚上看不见', building: '3号楼' });
    const s2 = await submission({ campaign: c1, qr: qr1, category: cat2, community: yongan, createdAt: '2026-03-01T16:00:00.000Z', text: '电梯坏了三天没人修', building: '5号楼', reply: '已联系物业维修电梯' });
    const s3 = await submission({ campaign: c1, kind: 'wish', channel: 'door_to_door', community: qingfeng, collectedOn: '2026-02-28', createdAt: '2026-03-05T01:00:00.000Z', text: '希望给老人装扶手 Wi-Fi 覆盖' });
    const s4 = await submission({ campaign: c1, qr: qr1, channel: 'meeting', category: cat3, collectedOn: '2026-02-30', createdAt: '2026-03-05T02:00:00Z', text: '路灯不亮 LED 灯坏了 3 盏' });
    const s5 = await submission({ campaign: c2, qr: qr2, category: cat1, community: qingfeng, createdAt: '2026-03-01T23:30:00-02:00', text: '垃圾站满了没人拉' });
    const s6 = await submission({ campaign: c2, kind: 'wish', channel: 'paper_survey', category: cat2, community: yongan, collectedOn: 'not a date', createdAt: '2026-03-03T10:00:00.000Z', text: '希望多组织文体活动' });
    const s7 = await submission({ campaign: c2, qr: qr2, channel: 'hotline', text: 'ＷＩＦＩ信号差，３号楼收不到' });
    const s8 = await submission({ campaign: c1, qr: qr1, channel: 'city_app', category: cat1, community: yongan, collectedOn: '2026-03-04 09:15', createdAt: '2026-03-04T00:00:00Z', text: '垃圾桶满了没人清理' });

    const issue = (campaignId: number, title: string, community: number | null, reply: string | null) =>
      id('INSERT INTO issues (campaign_id, title, community_id, reply) VALUES (?, ?, ?, ?)', [campaignId, title, community, reply]);
    const i1 = await issue(c1, '电梯维修', yongan, null);
    const i2 = await issue(c1, '路灯更换', null, '已更换');
    const i3 = await issue(c2, '垃圾清运', qingfeng, null);
    await id("INSERT INTO appeals (submission_id, kind, reason, proof) VALUES (?, 'submission', '请复核', 'device')", [s6]);
    await id("INSERT INTO appeals (submission_id, kind, reason, proof) VALUES (?, 'submission', '请再看看', 'phone_last4')", [s3]);

    // Updates that move counts, rewrite search entries, and end appeals; then deletes.
    await run('UPDATE submissions SET category_id = ? WHERE id = ?', [cat3, s1]);
    await run("UPDATE submissions SET community_id = ?, collected_on = '2026-03-10' WHERE id = ?", [qingfeng, s2]);
    await run("UPDATE submissions SET qr_code_id = NULL, reply = '已修好路灯' WHERE id = ?", [s4]);
    await run("UPDATE submissions SET text = '电梯又坏了' WHERE id = ?", [s8]);
    await run('UPDATE submissions SET reply = reply, category_id = category_id WHERE id = ?', [s3]);
    await run('UPDATE submissions SET issue_id = ? WHERE id = ?', [i1, s6]);
    await run("UPDATE submissions SET declined_at = '2026-03-06T00:00:00Z', decline_reason = '重复意见', declined_by = ? WHERE id = ?", [staff, s3]);
    await run('DELETE FROM submissions WHERE id = ?', [s5]);
    await run("UPDATE issues SET decline_reason = '不属于本社区', status = 'declined' WHERE id = ?", [i3]);
    await run('DELETE FROM issues WHERE id = ?', [i2]);

    const same = async (sql: string) => {
      const { onSqlite, onPg } = await run(sql);
      expect({ sql, rows: onPg }).toEqual({ sql, rows: onSqlite });
      return onSqlite;
    };
    const daily = await same(`SELECT campaign_id, community_id, day, channel, kind, SUM(n) AS n FROM submission_counts_daily
      GROUP BY campaign_id, community_id, day, channel, kind HAVING SUM(n) <> 0 ORDER BY campaign_id, community_id, day, channel, kind`);
    // The days the counts were kept under, worked out by hand (s5 was deleted; s7's day is today's in China).
    expect(daily.filter((r) => !(r.campaign_id === c2 && r.community_id === 0)).map((r) => r.day)).toEqual(
      ['2026-03-02', '2026-03-01', '2026-03-04', '2026-02-28', '2026-03-10', '2026-03-03']);
    await same(`SELECT campaign_id, community_id, category_id, SUM(n) AS n FROM submission_counts_category
      GROUP BY campaign_id, community_id, category_id HAVING SUM(n) <> 0 ORDER BY campaign_id, community_id, category_id`);
    await same('SELECT qr_code_id, SUM(n) AS n FROM submission_counts_qr GROUP BY qr_code_id HAVING SUM(n) <> 0 ORDER BY qr_code_id');

    const found = async (table: 'submissions_fts' | 'issues_fts', typed: string) => {
      const match = matchQuery(typed);
      if (!match) throw new Error(`nothing searchable in ${typed}`);
      // matchQuery's phrases, each one phraseto_tsquery of its tokens; every phrase must occur.
      const phrases = [...match.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      const onSqlite = sqlite.prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? ORDER BY rowid`).pluck().all(match);
      const onPg = (await pool.query(`SELECT rowid FROM ${table}
        WHERE body @@ ALL (SELECT phraseto_tsquery('simple', p) FROM unnest($1::text[]) AS p) ORDER BY rowid`, [phrases])).rows.map((r) => r.rowid);
      expect({ typed, onPg }).toEqual({ typed, onPg: onSqlite });
      return onSqlite;
    };
    expect(await found('submissions_fts', '电梯')).toEqual([s2, s8]);
    expect(await found('submissions_fts', 'wifi')).toEqual([s7]);
    expect(await found('submissions_fts', '3号楼')).toEqual([s1, s7]);
    for (const typed of ['灯坏', '坏了 电梯', 'led 灯', '3', '号楼', '扶手', '修好', '已修', '垃圾', '没人', '楼道灯坏了，晚上', 'WI FI', '信号差']) {
      await found('submissions_fts', typed);
    }
    expect(await found('issues_fts', '电梯')).toEqual([i1]);
    expect(await found('issues_fts', '本社区')).toEqual([i3]);
    expect(await found('issues_fts', '更换')).toEqual([]);

    await same(`SELECT submission_id, status, answer, concluded_by, CASE WHEN concluded_at IS NULL THEN 0 ELSE 1 END AS concluded
      FROM appeals ORDER BY id`);
    expect((await run('SELECT status FROM appeals ORDER BY id')).onPg.map((r) => r.status)).toEqual(['reopened', 'upheld']);

    // Defaults write SQLite's timestamp formats.
    const formats = await run('SELECT s.created_at AS received, p.created_at AS placed FROM submissions s, places p WHERE s.id = ? AND p.id = ?', [s7, yongan]);
    for (const r of [...formats.onSqlite, ...formats.onPg]) {
      expect(r.received).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.placed).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    }
  });
});
