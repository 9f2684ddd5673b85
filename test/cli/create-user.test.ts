import fs from 'node:fs';
import path from 'node:path';
import { verifyPassword } from '../../src/auth/password';
import { createUserRepo } from '../../src/auth/repo';
import { sqliteEngine } from '../../src/db/engine';
import { main } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { placeWriter } from '../helpers/factories';
import { captureIo, tempDataDir } from '../helpers/cli-io';

describe('npx linsheng create-user', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDataDir()));
  afterEach(() => cleanup());

  const run = async (...args: string[]) => {
    const c = captureIo({ DATA_DIR: dir });
    const code = await main(['create-user', ...args], c.io);
    return { code, ...c };
  };
  const places = () => {
    const db = openDb({ file: dbFile(dir) });
    const p = placeWriter(db);
    const sub = p.create('subdistrict', p.create('district', null, '二七区'), '建中街街道');
    const yongan = p.create('community', sub, '永安社区');
    const qingfeng = p.create('community', sub, '庆丰社区');
    const ids = { sub, yongan, g1: p.create('grid', yongan, '第一网格'), g3: p.create('grid', yongan, '第三网格'), q1: p.create('grid', qingfeng, '第一网格') };
    db.close();
    return ids;
  };
  const user = async (username: string) => {
    const db = openDb({ file: dbFile(dir) });
    const users = createUserRepo(sqliteEngine(db).queries);
    const found = await users.findByUsername(username);
    const grids = found ? await users.gridIds(found.user.id) : [];
    db.close();
    return found && { ...found, grids };
  };

  it('creates a user with the given password', async () => {
    const r = await run('--username', 'wangli', '--role', 'admin', '--display-name', '王丽', '--password', 'a-long-password');
    expect(r.code).toBe(0);
    expect(r.text()).toContain('wangli');
    expect(r.text()).not.toContain('a-long-password');
    const u = (await user('wangli'))!;
    expect(u.user).toMatchObject({ role: 'admin', displayName: '王丽', canSeePersonalData: true });
    expect(await verifyPassword('a-long-password', u.passwordHash)).toBe(true);
  });

  it('generates a password and prints it once when none is given', async () => {
    places();
    const r = await run('--username', 'liumin', '--role', 'staff', '--scope', '建中街街道');
    expect(r.code).toBe(0);
    const m = /Password \(shown only once\): (\S+)/.exec(r.text());
    expect(m).not.toBeNull();
    const u = (await user('liumin'))!;
    expect(await verifyPassword(m![1], u.passwordHash)).toBe(true);
    expect(u.user.role).toBe('staff');
    expect(u.user.scopePlaceId).not.toBeNull();
  });

  it('gives a grid worker grids by community/grid, by name inside --scope, or by id', async () => {
    const ids = places();
    expect((await run('--username', 'lina', '--role', 'grid_worker', '--grids', '永安社区/第一网格,第三网格', '--scope', '永安社区', '--password', 'birch-lantern-42')).code).toBe(0);
    expect((await user('lina'))!.grids.sort()).toEqual([ids.g1, ids.g3].sort());
    expect((await run('--username', 'zhao', '--role', 'grid_worker', '--grids', String(ids.q1), '--password', 'birch-lantern-42')).code).toBe(0);
    expect((await user('zhao'))!.grids).toEqual([ids.q1]);
  });

  it.each([
    [['--role', 'staff'], 'Missing --username'],
    [['--username', 'x y', '--role', 'staff'], 'Username'],
    [['--username', 'a', '--role', 'boss'], '--role'],
    [['--username', 'a', '--role', 'staff', '--password', 'short'], '10 to 200'],
    [['--username', 'a', '--role', 'staff', '--password', 'password123456'], 'common'],
    [['--username', 'a', '--role', 'grid_worker'], '--grids'],
    [['--username', 'a', '--role', 'staff', '--grids', '第一网格'], 'grid_worker only'],
    [['--username', 'a', '--role', 'staff', '--scope', '不存在社区'], '不存在社区'],
    [['--username', 'a', '--role', 'grid_worker', '--grids', '第一网格'], 'ambiguous'],
    [['--username', 'a', '--role', 'grid_worker', '--grids', '第九网格'], 'No grid'],
    [['--username', 'a', '--role', 'staff', '--claimer-kind', 'unit'], 'claimer'],
  ])('refuses %j with exit 2 and a clear message', async (args, message) => {
    places();
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.errors()).toContain(message);
    expect(r.errors()).toMatch(/[\u4e00-\u9fff]/); // Chinese too
    expect((await user('a'))).toBeUndefined();
  });

  it('says which database it wrote to, and that it was new', async () => {
    const fresh = await run('--username', 'first', '--role', 'admin', '--password', 'birch-lantern-42');
    expect(fresh.code).toBe(0);
    expect(fresh.out).toContain(`数据库 Database: ${dbFile(dir)}（新建 new）`);
    const again = await run('--username', 'second', '--role', 'admin', '--password', 'birch-lantern-42');
    expect(again.out).toContain(`数据库 Database: ${dbFile(dir)}`);
  });

  it('refuses a DATA_DIR whose parent directory does not exist, creating nothing', async () => {
    const typo = path.join(dir, 'srv-typo', 'data');
    const c = captureIo({ DATA_DIR: typo });
    expect(await main(['create-user', '--username', 'li', '--role', 'admin'], c.io)).toBe(2);
    expect(c.errors()).toContain(`DATA_DIR 的上级目录 ${path.dirname(typo)} 不存在`);
    expect(c.errors()).toContain('does not exist: check DATA_DIR');
    expect(fs.existsSync(path.dirname(typo))).toBe(false);
  });

  it('creates DATA_DIR itself when its parent exists (a first set-up)', async () => {
    const data = path.join(dir, 'data');
    const c = captureIo({ DATA_DIR: data });
    expect(await main(['create-user', '--username', 'li', '--role', 'admin', '--password', 'birch-lantern-42'], c.io)).toBe(0);
    expect(c.out).toContain(`数据库 Database: ${dbFile(data)}（新建 new）`);
    expect(fs.existsSync(dbFile(data))).toBe(true);
  });

  it('leaves no new database behind when it refuses the account it was created for', async () => {
    const data = path.join(dir, 'data');
    const c = captureIo({ DATA_DIR: data });
    expect(await main(['create-user', '--username', 'li', '--role', 'staff', '--scope', '永安社区'], c.io)).toBe(2);
    expect(c.errors()).toContain('找不到街道或社区「永安社区」');
    expect(c.errors()).toContain(`数据库 Database: ${dbFile(data)}（刚新建，已删除 just created, removed again）`);
    expect(fs.existsSync(data)).toBe(false);
  });

  it.each([
    [['--username', 'a', '--role', 'staff', '--rol', 'admin'], '未知选项 Unknown option: --rol（是不是 did you mean --role？）'],
    [['--username', '--role', 'staff'], '--username 后面缺少 NAME'],
    [['--username', 'a', '--role', 'staff', '--password'], '--password 后面缺少 P'],
    [['--username', 'a', '--role', 'staff', '--personal-data=yes'], '--personal-data 不带值'],
    [['--username', 'a', '--role', 'staff', 'extra'], '多余的参数 Unexpected argument(s): "extra"'],
  ])('refuses %j as bad usage, naming the option', async (args, message) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(r.errors()).toContain(message);
    expect(r.errors()).toContain('用法 Usage: npx linsheng create-user');
    expect(fs.existsSync(dbFile(dir))).toBe(false);
  });

  it('refuses a username that is taken', async () => {
    expect((await run('--username', 'dup', '--role', 'claimer', '--password', 'birch-lantern-42')).code).toBe(0);
    const again = await run('--username', 'DUP', '--role', 'staff', '--password', 'birch-lantern-42');
    expect(again.code).toBe(2);
    expect(again.errors()).toContain('已被使用');
    expect((await user('dup'))!.user.claimerKind).toBe('member');
  });
});
