import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main, type CliIo } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { createUser } from '../helpers/app';
import { ensurePlace, ensureSubdistrict } from '../helpers/factories';
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
    // The sample's good rows are from November 2023, over a year ago: without --accept-old-dates they are
    // rejected by row number, with a line saying how to import them once checked.
    const unconfirmed = captured(dataDir);
    expect(await main(['import', SAMPLE_XLSX, '--campaign', String(f.campaignId)], unconfirmed.io)).toBe(0);
    expect(unconfirmed.out[2]).toBe('导入 0 条；已导入过（跳过）0 条；有问题未导入 20 条');
    expect(unconfirmed.out).toContain('  第 4 行：日期 2023-11-02 一年多以前，需要核实，未确认');
    expect(unconfirmed.out).toContain('  第 11 行：电话号码不正确（“1381234567”）');
    expect(unconfirmed.out[unconfirmed.out.length - 1]).toBe('日期需要核实的 14 行没有导入（第 4–10、13、16、19–23 行，早于活动开始日期或一年多以前）。'
      + '核实无误的话，加上 --accept-old-dates 再导入一次；已导入的行会自动跳过。');
    expect(count()).toBe(0);

    const first = captured(dataDir);
    expect(await main(['import', SAMPLE_XLSX, '--campaign', String(f.campaignId), '--accept-old-dates'], first.io)).toBe(0);
    // The first line names the campaign and the channel the rows were recorded under (the default here).
    expect(first.out[0]).toBe(`导入到 Importing into: 征求意见活动 #${f.campaignId}「2023年11月入户走访」；来源 channel: 入户走访（door_to_door）`);
    expect(first.out[2]).toBe('导入 14 条；已导入过（跳过）0 条；有问题未导入 6 条');
    expect(first.out).toContain('  第 11 行：电话号码不正确（“1381234567”）');
    expect(first.out).toContain('  第 17 行：与第 4 行重复');
    expect(first.out).toContain('日期需要核实的 14 行已按 --accept-old-dates 照样导入：第 4–10、13、16、19–23 行');
    expect(count()).toBe(14);

    const second = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId)], second.io)).toBe(0);
    expect(second.out[2]).toBe('导入 0 条；已导入过（跳过）14 条；有问题未导入 6 条');
    expect(count()).toBe(14);
  });

  it('imports as a user, within that user’s grids', async () => {
    const c = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--user', 'liuna', '--accept-old-dates'], c.io)).toBe(0);
    expect(c.out[0]).toContain('；账号 as user: liuna');
    expect(c.out[2]).toBe('导入 2 条；已导入过（跳过）0 条；有问题未导入 18 条');
  });

  it('names the columns it did not import', async () => {
    const file = path.join(dataDir, '带多余列.csv');
    fs.writeFileSync(file, '社区,日期,意见内容,办理情况\n永安社区,2023/11/02,楼道灯坏了,已转物业\n');
    const c = captured(dataDir);
    expect(await main(['import', file, '--campaign', String(f.campaignId), '--accept-old-dates'], c.io)).toBe(0);
    expect(c.out).toContain('没有导入的列：D 列“办理情况”');
    expect(count()).toBe(1);
  });

  it('names the channel given with --channel and records the rows under it', async () => {
    const c = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--channel', 'meeting', '--accept-old-dates'], c.io)).toBe(0);
    expect(c.out[0]).toContain('来源 channel: 民情恳谈会（meeting）');
    const db = openDb({ file: dbFile(dataDir) });
    try {
      expect(db.prepare('SELECT DISTINCT channel FROM submissions').pluck().all()).toEqual(['meeting']);
    } finally { db.close(); }
  });

  it('imports every file given (a shell glob), each with its report, then a total', async () => {
    const extra = path.join(dataDir, 'more.csv');
    fs.writeFileSync(extra, '走访日期,社区,诉求内容\n2023-11-02,永安社区,三号楼的路灯坏了一个星期\n');
    const c = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, extra, '--campaign', String(f.campaignId), '--accept-old-dates'], c.io)).toBe(0);
    expect(c.out).toContain('文件：door-to-door-sample.csv，表头在第 1 行，共 20 条数据');
    expect(c.out).toContain('文件：more.csv，表头在第 1 行，共 1 条数据');
    expect(c.out[c.out.length - 1]).toBe('合计 2 个文件 Total of 2 files：导入 15 条；已导入过（跳过）0 条；有问题未导入 6 条');
    expect(count()).toBe(15);
  });

  it('imports nothing when one of several files cannot be read, and names it', async () => {
    const c = captured(dataDir);
    const missing = path.join(dataDir, 'typo.csv');
    expect(await main(['import', SAMPLE_CSV, missing, '--campaign', String(f.campaignId)], c.io)).toBe(1);
    expect(c.err[0]).toBe(`无法读取文件 ${missing}：文件不存在 no such file。 Cannot read ${missing}.`);
    expect(c.err[1]).toContain('nothing was imported');
    expect(c.out).toEqual([]);
    expect(count()).toBe(0);
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

  it('refuses bad usage and unknown campaigns or users with exit code 2, saying what is wrong', async () => {
    const id = String(f.campaignId);
    const refused = async (args: string[], ...messages: string[]) => {
      const c = captured(dataDir);
      expect(await main(['import', ...args], c.io)).toBe(2);
      for (const m of messages) expect(c.err.join('\n')).toContain(m);
      expect(c.err[0]).toMatch(/[\u4e00-\u9fff]/); // Chinese first, English beside it
      expect(c.out).toEqual([]);
    };
    await refused([SAMPLE_CSV], '请用 --campaign <编号>', 'Missing --campaign <id>', '用法 Usage');
    await refused([SAMPLE_CSV, '--campaign', 'x'], '「x」不是编号', '--campaign "x" is not an id');
    await refused([SAMPLE_CSV, '--campaign'], '--campaign 后面缺少 <id>', 'needs a value');
    await refused([SAMPLE_CSV, '--campaign', '--channel', 'meeting'], '--campaign 后面缺少 <id>');
    await refused([SAMPLE_CSV, '--campaign', '999'],
      '找不到编号为 999 的征求意见活动；用 npx linsheng campaigns 列出所有活动和编号。', 'No campaign with id 999');
    await refused([SAMPLE_CSV, '--campaign', id, '--user', 'nobody'], '找不到账号「nobody」', 'No active account "nobody"');
    await refused([SAMPLE_CSV, '--campaign', id, '--user'], '--user 后面缺少 <username>');
    await refused([SAMPLE_CSV, '--campaign', id, '--channel', 'online'],
      '--channel「online」不是可导入的意见来源', 'door_to_door（入户走访）', 'is not an import channel');
    await refused([SAMPLE_CSV, '--campaign', id, '--chanel', 'meeting'], '未知选项 Unknown option: --chanel（是不是 did you mean --channel？）');
    await refused([SAMPLE_CSV, '--campaign', id, '-x'], 'Unknown option: -x');
    await refused([SAMPLE_CSV, '--campaign', id, '--campaign', id], '--campaign 给了不止一次');
    await refused([SAMPLE_CSV, '--campaign', id, '--accept-old-dates=yes'], '选项 --accept-old-dates 不带值');
    await refused(['--campaign', id], '请指定要导入的表格文件');
    expect(count()).toBe(0);
  });

  it('says the campaign is a draft, or out of the account’s reach, instead of web wording', async () => {
    const db = openDb({ file: dbFile(dataDir) });
    const draft = createIntakeFixture(db, { status: 'draft', title: '草稿活动' }).campaignId;
    const elsewhere = ensurePlace(db, 'community', ensureSubdistrict(db, '淮河路街道').subdistrictId, '淮河东路社区');
    createUser(db, { username: 'outsider', role: 'staff', scopePlaceId: elsewhere });
    db.close();
    const d = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(draft)], d.io)).toBe(2);
    expect(d.err[0]).toContain('还是草稿');
    expect(d.err[0]).toContain('draft');
    const o = captured(dataDir);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--user', 'outsider'], o.io)).toBe(2);
    expect(o.err[0]).toContain(`账号「outsider」负责的范围不在征求意见活动 #${f.campaignId} 里`);
    for (const e of [...d.err, ...o.err]) expect(e).not.toContain('返回首页');
    expect(count()).toBe(0);
  });

  it('refuses a DATA_DIR without a database instead of creating one', async () => {
    const typo = path.join(dataDir, 'typo-dir');
    const c = captured(typo);
    expect(await main(['import', SAMPLE_CSV, '--campaign', String(f.campaignId)], c.io)).toBe(2);
    expect(c.err[0]).toBe(`找不到数据库 ${dbFile(typo)}，请检查 DATA_DIR。 No database at ${dbFile(typo)}: check DATA_DIR.`);
    expect(fs.existsSync(typo)).toBe(false);
  });
});
