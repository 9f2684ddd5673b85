import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main, type CliIo } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { createQrCampaign, seedQrPlaces } from '../helpers/qr-factories';
import { createQrRepo } from '../../src/qr/repo';

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
    const repo = createQrRepo(db);
    repo.create(campaignId, 'AAAAAAAAAAAA', '永安社区 3号楼公告栏', w.yongan.id);
    repo.create(campaignId, 'BBBBBBBBBBBB', '永安社区\t菜市场', null);
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
    for (const args of [['qr-list'], ['qr-list', '--campaign'], ['qr-list', '--campaign', 'abc'], ['qr-list', '--campaign', '0']]) {
      const r = io({ DATA_DIR: dataDir });
      expect(await main(args, r.cli)).toBe(2);
      expect(r.err[0]).toMatch(/--campaign.*Missing or invalid --campaign/);
      expect(r.out).toEqual([]);
    }
    const r = io({ DATA_DIR: dataDir });
    expect(await main(['qr-list', '--campaign', '999'], r.cli)).toBe(2);
    expect(r.err[0]).toBe('找不到编号为 999 的征求意见活动。 Unknown campaign: 999.');
  });

  it('does not create a database where there is none', async () => {
    const empty = path.join(dataDir, 'nothing-here');
    const r = io({ DATA_DIR: empty });
    expect(await main(['qr-list', '--campaign', '1'], r.cli)).toBe(2);
    expect(r.err[0]).toContain('No database');
    expect(fs.existsSync(dbFile(empty))).toBe(false);
  });
});
