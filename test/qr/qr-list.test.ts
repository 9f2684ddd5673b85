import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { createQrCampaign, seedQrPlaces } from '../helpers/qr-factories';
import { insertQrCode } from '../helpers/factories';

function io(env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: process.stdin, env };
  return { cli, out, err };
}

describe('npx linsheng qr-list', () => {
  let dataDir: string;
  let campaignId: number;
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-qrlist-'));
    const db = openDb({ file: dbFile(dataDir) });
    const w = seedQrPlaces(db);
    campaignId = createQrCampaign(db, { communityIds: [w.yongan.id] });
    insertQrCode(db, campaignId, 'AAAAAAAAAAAA', '永安社区 3号楼公告栏', w.yongan.id);
    insertQrCode(db, campaignId, 'BBBBBBBBBBBB', '永安社区\t菜市场', null);
    db.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints <url><TAB><label> per code', async () => {
    const r = io({ DATA_DIR: dataDir, BASE_URL: 'https://ls.example.cn/' });
    expect(await main(['qr-list', '--campaign', String(campaignId)], r.cli)).toBe(0);
    expect(r.out).toEqual([
      'https://ls.example.cn/q/AAAAAAAAAAAA\t永安社区 3号楼公告栏',
      'https://ls.example.cn/q/BBBBBBBBBBBB\t永安社区 菜市场',
    ]);
  });

  it('exits 2 with a Chinese and English message on a missing or unknown campaign', async () => {
    // Each says what is wrong: the option missing, its value missing, or a value that is not an id.
    const cases: Array<[string[], RegExp]> = [
      [['qr-list'], /请用 --campaign <编号>.*Missing --campaign <id>/],
      [['qr-list', '--campaign'], /--campaign 后面缺少 <id>.*--campaign needs a value/],
      [['qr-list', '--campaign', 'abc'], /「abc」不是编号.*--campaign "abc" is not an id/],
      [['qr-list', '--campaign', '0'], /「0」不是编号.*--campaign "0" is not an id/],
      [['qr-list', '--campagin', '1'], /未知选项 Unknown option: --campagin（是不是 did you mean --campaign？）/],
      [['qr-list', '1'], /多余的参数 Unexpected argument\(s\): "1"/],
    ];
    for (const [args, message] of cases) {
      const r = io({ DATA_DIR: dataDir });
      expect(await main(args, r.cli)).toBe(2);
      expect(r.err[0]).toMatch(message);
      expect(r.err).toContain('用法 Usage: npx linsheng qr-list --campaign <id>');
      expect(r.out).toEqual([]);
    }
    const r = io({ DATA_DIR: dataDir });
    expect(await main(['qr-list', '--campaign', '999'], r.cli)).toBe(2);
    expect(r.err).toEqual(['找不到编号为 999 的征求意见活动；用 npx linsheng campaigns 列出所有活动和编号。 '
      + 'No campaign with id 999: list the campaigns and their ids with npx linsheng campaigns.']);
  });

  it('lists the campaigns with their ids (npx linsheng campaigns)', async () => {
    const r = io({ DATA_DIR: dataDir });
    expect(await main(['campaigns'], r.cli)).toBe(0);
    expect(r.out).toHaveLength(1);
    const [id, status, dates, submissions, title] = r.out[0].split('\t');
    expect([Number(id), status, submissions]).toEqual([campaignId, '草稿', '0']);
    expect(dates).toMatch(/^\d{4}-\d\d-\d\d~\d{4}-\d\d-\d\d$/);
    expect(title.length).toBeGreaterThan(0);
    const none = io({ DATA_DIR: path.join(dataDir, 'nothing-here') });
    expect(await main(['campaigns'], none.cli)).toBe(2);
    expect(none.err[0]).toContain('No database');
  });

  it('does not create a database where there is none', async () => {
    const empty = path.join(dataDir, 'nothing-here');
    const r = io({ DATA_DIR: empty });
    expect(await main(['qr-list', '--campaign', '1'], r.cli)).toBe(2);
    expect(r.err[0]).toContain('No database');
    expect(fs.existsSync(dbFile(empty))).toBe(false);
  });
});
