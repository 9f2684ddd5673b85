import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main, type CliIo } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { createUser } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';

const SAMPLE_CSV = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.csv');
const SAMPLE_XLSX = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.xlsx');

function captured(dataDir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: Readable.from([]), env: { DATA_DIR: dataDir, NODE_ENV: 'test' } };
  return { io, out, err };
}

describe('npx linsheng import', () => {
  let dataDir: string;
  let f: IntakeFixture;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-import-'));
    const db = openDb({ file: dbFile(dataDir) });
    f = createIntakeFixture(db);
    createUser(db, { username: 'liuna', role: 'grid_worker', gridIds: [f.grids['永安社区/第三网格']] });
    db.close();
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const count = () => {
    const db = openDb({ file: dbFile(dataDir) });
    try { return db.prepare('SELECT COUNT(*) FROM submissions').pluck().get(); } finally { db.close(); }
  };

  it('imports the sample, prints the report with row numbers, and adds nothing the second time', async () => {
    const first = captured(dataDir);
    expect(await main(['import', SAMPLE_XLSX, '--campaign', String(f.campaignId)], first.io)).toBe(0);
    expect(first.out[1]).toBe('导入 14 条；已导入过（跳过）0 条；有问题未导入 6 条');
    expect(first.out).toContain('  第 11 行：电话号码不正确（“1381234567”）');
    expect(first.out).toContain('  第 17 行：与第 4 行重复');
    expect(count()).toBe(14);

    const second = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId)], second.io)).toBe(0);
    expect(second.out[1]).toBe('导入 0 条；已导入过（跳过）14 条；有问题未导入 6 条');
    expect(count()).toBe(14);
  });

  it('imports as a user, within that user’s grids', async () => {
    const c = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--user', 'liuna'], c.io)).toBe(0);
    expect(c.out[1]).toBe('导入 2 条；已导入过（跳过）0 条；有问题未导入 18 条');
  });

  it('exits non-zero only when nothing could be read', async () => {
    const missing = captured(dataDir);
    expect(await main(['import', path.join(dataDir, 'nope.xlsx'), '--campaign', String(f.campaignId)], missing.io)).toBe(1);
    expect(missing.err[0]).toContain('无法读取文件');

    const garbage = path.join(dataDir, 'garbage.xlsx');
    fs.writeFileSync(garbage, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(300, 7)]));
    const bad = captured(dataDir);
    expect(await main(['import', garbage, '--campaign', String(f.campaignId)], bad.io)).toBe(1);
    expect(bad.err[0]).toContain('无法读取这个 Excel 文件');

    const headerOnly = path.join(dataDir, 'empty.csv');
    fs.writeFileSync(headerOnly, '走访日期,社区,诉求内容\n,,\n');
    const empty = captured(dataDir);
    expect(await main(['import', headerOnly, '--campaign', String(f.campaignId)], empty.io)).toBe(1);

    // Every row rejected is still a file that was read: the report says why, exit 0.
    const allBad = path.join(dataDir, 'bad-rows.csv');
    fs.writeFileSync(allBad, '走访日期,社区,诉求内容\n2023-11-02,不存在社区,灯坏了\n');
    const rejected = captured(dataDir);
    expect(await main(['import', allBad, '--campaign', String(f.campaignId)], rejected.io)).toBe(0);
    expect(rejected.out).toContain('  第 2 行：社区不存在（“不存在社区”）');
  });

  it('refuses bad usage and unknown campaigns or users with exit code 2', async () => {
    expect(await main(['import', SAMPLE_CSV], captured(dataDir).io)).toBe(2);
    expect(await main(['import', SAMPLE_CSV, '--campaign', 'x'], captured(dataDir).io)).toBe(2);
    expect(await main(['import', SAMPLE_CSV, '--campaign', '999'], captured(dataDir).io)).toBe(2);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--user', 'nobody'], captured(dataDir).io)).toBe(2);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--channel', 'online'], captured(dataDir).io)).toBe(2);
    expect(count()).toBe(0);
  });
});
