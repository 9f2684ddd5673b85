import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main, type CliIo } from '../../src/cli/main';
import { createClassifyRepo } from '../../src/classify/repo';
import { createClassifyService } from '../../src/classify/service';
import { dbFile, openDb } from '../../src/db/open-db';
import { sqliteEngine } from '../../src/db/engine';
import { createSubmissionService } from '../../src/submissions/service';
import { categoryId, key, makeClassifyCampaign, classifyServiceOn } from '../helpers/classify-factories';

function io(dataDir: string, input: string) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: Readable.from([Buffer.from(input)]), env: { DATA_DIR: dataDir } };
  return { cli, out, err };
}

describe('npx linsheng classify', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-classify-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints <category><TAB><text> per line with the default model, skipping empty lines, without creating a database', async () => {
    const { cli, out, err } = io(dir, '\uFEFF电梯坏了好几天，请尽快维修\r\n\n   \n楼上装修噪音太大，邻居不听劝\n想咨询一下医保怎么报销');
    expect(await main(['classify'], cli)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toEqual([
      '设施维修\t电梯坏了好几天，请尽快维修',
      '邻里纠纷\t楼上装修噪音太大，邻居不听劝',
      '其他\t想咨询一下医保怎么报销',
    ]);
    expect(fs.existsSync(dbFile(dir))).toBe(false);
  });

  it('uses the corrections stored in the database at DATA_DIR', async () => {
    const text = '小区东门的快递柜总是满的，取件要排队';
    const before = io(dir, text + '\n');
    await main(['classify'], before.cli);
    expect(before.out[0]).not.toMatch(/^物业管理\t/);

    const db = openDb({ file: dbFile(dir) });
    const engine = sqliteEngine(db);
    const classify = classifyServiceOn(db, engine);
    const c = makeClassifyCampaign(db);
    const s = (await createSubmissionService({ engine, classify })
      .record({ campaignId: c.campaignId, idempotencyKey: key(), kind: 'suggestion', text })).submission;
    await classify.correct(s, categoryId(db, '物业管理'), null);
    db.close();

    const after = io(dir, '东门快递柜经常满了，取快递要排好久的队\n');
    expect(await main(['classify'], after.cli)).toBe(0);
    expect(after.out).toEqual(['物业管理\t东门快递柜经常满了，取快递要排好久的队']);
  });

  it('refuses a file name given as an argument, saying it reads standard input', async () => {
    const { cli, err, out } = io(dir, '电梯坏了\n');
    expect(await main(['classify', 'texts.txt'], cli)).toBe(2);
    expect(err[0]).toBe('多余的参数 Unexpected argument(s): "texts.txt"');
    expect(err[1]).toContain('npx linsheng classify < texts.txt');
    expect(out).toEqual([]);
  });

  it('refuses a malformed --campaign with exit code 2', async () => {
    const { cli, err } = io(dir, '电梯坏了\n');
    expect(await main(['classify', '--campaign', 'abc'], cli)).toBe(2);
    expect(err[0]).toBe('--campaign 的值「abc」不是编号，应为正整数，例如 --campaign 1。 --campaign "abc" is not an id: give a positive whole number, e.g. --campaign 1.');
  });
});
