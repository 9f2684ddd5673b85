import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { EngineSpec } from '../../src/db/engine-spec';
import { openDb } from '../../src/db/open-db';
import { createPgPool } from '../../src/db/postgres/pool';
import type { SubmissionsExportJob } from '../../src/exports/export-thread';
import { exportInThread } from '../../src/exports/in-thread';
import { migratedPostgresDatabase, postgresExec, sqliteExec } from '../helpers/engines';
import { seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';
import { describeOnPostgres, otherConnections } from '../helpers/postgres';

/** What the export thread writes for `job`, as the bytes a download would get. */
async function exported(job: SubmissionsExportJob): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk); done(); } });
  await exportInThread(out, job);
  return Buffer.concat(chunks);
}

/**
 * The real export thread (src/exports/export-thread.ts), opening its own read-only engine from the job's EngineSpec,
 * on the fixture of test/helpers/engine-fixtures.ts: the same file on SQLite and on PostgreSQL.
 */
function exportThreadTests(open: () => Promise<{ spec: EngineSpec; f: EngineFixture; close(): Promise<void> }>) {
  let spec: EngineSpec;
  let f: EngineFixture;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => { ({ spec, f, close } = await open()); });
  afterAll(async () => { await close?.(); });

  const job = (over: Partial<SubmissionsExportJob> = {}): SubmissionsExportJob => ({
    engine: spec, campaignId: f.spring, filter: { campaignId: f.spring, communityIds: 'all' }, full: true, format: 'csv', sheet: '居民意见', ...over,
  });
  const csv = async (over: Partial<SubmissionsExportJob> = {}) =>
    parse((await exported(job(over))).toString('utf8'), { bom: true }) as string[][];

  it('writes every submission of the campaign, oldest first, with the names behind the ids', async () => {
    const rows = await csv();
    expect(rows[0].slice(0, 3)).toEqual(['回执码', '收到时间', '采集日期']);
    // s1 02:00, s4 03:00, s5 04:00 on 2 March (UTC), s2 on the 3rd (the 4th in China), s3 on the 5th.
    expect(rows.slice(1).map((r) => r[10])).toEqual(['3号楼电梯坏了，困过人', '路灯坏了', '垃圾没人清', '希望增加快递柜，电梯口太挤', '楼道灯不亮']);
    expect(rows[1]).toEqual([
      'K7M2-P9QX', '2026-03-02 10:00', '', '意见建议', '线上扫码', '环境卫生', '永安社区', '第一网格', '', '', '3号楼电梯坏了，困过人',
      '', '13812345678', '永安社区 公告栏', '3号楼电梯经常坏', '已受理', '', '', '',
    ]);
    // No community, no category, the office's QR code.
    expect(rows[2].slice(5, 8)).toEqual(['待分类', '', '']);
    expect(rows[2][13]).toBe('街道办 大厅');
    expect(rows[3].slice(14, 16)).toEqual(['电梯维修', '已办结']);
    expect(rows[4][1]).toBe('2026-03-04 04:00');
    expect(rows[5].slice(2, 5)).toEqual(['2026-03-01', '意见建议', '入户走访']);
  });

  it('applies the filter and masks phones for a reader without the flag', async () => {
    const rows = await csv({ filter: { campaignId: f.spring, communityIds: [f.yongan] }, full: false });
    expect(rows.slice(1).map((r) => r[6])).toEqual(['永安社区', '永安社区', '永安社区']);
    expect(rows[1][12]).toBe('138****5678');
    expect((await csv({ filter: { campaignId: f.spring, kind: 'wish' } })).slice(1).map((r) => r[3])).toEqual(['微心愿']);
    expect(await csv({ campaignId: f.winter, filter: { campaignId: f.winter } })).toHaveLength(1);
  });

  it('writes the same rows as an .xlsx', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exported(job({ format: 'xlsx' }))) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('居民意见');
    expect(ws.rowCount).toBe(1 + 5);
    expect(ws.getRow(2).getCell(11).value).toBe('3号楼电梯坏了，困过人');
  });
}

describe('the export thread on a SQLite file', () => {
  exportThreadTests(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-export-thread-'));
    const file = path.join(dir, 'linsheng.db');
    const db = openDb({ file });
    const f = await seedEngineFixture(sqliteExec(db));
    return {
      spec: { kind: 'sqlite', file }, f,
      close: async () => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); },
    };
  });

  it('passes on a database it cannot open as the error of the download', async () => {
    const out = new Writable({ write(_chunk, _enc, done) { done(); } });
    await expect(exportInThread(out, {
      engine: { kind: 'sqlite', file: path.join(os.tmpdir(), 'linsheng-no-such-dir', 'none.db') }, campaignId: 1, filter: {}, full: false,
      format: 'csv', sheet: '居民意见',
    })).rejects.toThrow();
  });
});

describeOnPostgres('the export thread on PostgreSQL', () => {
  let made: Awaited<ReturnType<typeof migratedPostgresDatabase>>;
  let fixture: EngineFixture;
  exportThreadTests(async () => {
    made = await migratedPostgresDatabase();
    const pool = createPgPool(made.url, { max: 1 });
    try { fixture = await seedEngineFixture(postgresExec(pool)); } finally { await pool.end(); }
    return { spec: { kind: 'postgres', url: made.url }, f: fixture, close: () => made.drop() };
  });

  it('leaves no connection behind once the download ends', async () => {
    const out = new Writable({ write(_chunk, _enc, done) { done(); } });
    await exportInThread(out, {
      engine: { kind: 'postgres', url: made.url }, campaignId: fixture.spring, filter: {}, full: false, format: 'csv', sheet: '居民意见',
    });
    expect(await otherConnections(made.url)).toBe(0);
  });
});
