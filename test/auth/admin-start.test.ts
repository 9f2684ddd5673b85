import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createUser } from '../helpers/app';
import { startChildServer } from '../helpers/child-server';
import { ensurePlace } from '../helpers/factories';
import { createSessionRepo, createUserRepo } from '../../src/auth/repo';
import { sqliteEngine } from '../../src/db/engine';
import { ADMIN_START_MESSAGES, createAuthService } from '../../src/auth/service';
import { testConfig, type Config } from '../../src/config';
import { dbFile, openDb, type Db } from '../../src/db/open-db';

/**
 * A database whose only admin, `admin`, was demoted or disabled (the web form allowed that before): start-up
 * must neither crash on inserting `admin` again nor leave the operator without a way back.
 */
function demotedAdminDb(how: 'demoted' | 'disabled', file = ':memory:'): { db: Db; adminId: number } {
  const db = openDb({ file });
  const adminId = createUser(db, { username: 'admin', role: how === 'demoted' ? 'grid_worker' : 'admin' }).id;
  if (how === 'disabled') db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(adminId);
  else {
    const grid = ensurePlace(db, 'grid', null, '第一网格');
    db.prepare('INSERT INTO user_grids (user_id, grid_id) VALUES (?, ?)').run(adminId, grid);
  }
  return { db, adminId };
}

function authOn(db: Db, config: Partial<Config> = {}) {
  const lines: string[] = [];
  const engine = sqliteEngine(db);
  const auth = createAuthService({
    engine, users: createUserRepo(engine.queries), sessions: createSessionRepo(engine.queries), config: testConfig(config), log: (l) => lines.push(l),
  });
  return { auth, lines };
}

describe('start-up with no active admin but an account named admin', () => {
  it.each(['demoted', 'disabled'] as const)('does not fail when admin was %s and no password is set, and says how to recover', async (how) => {
    const { db, adminId } = demotedAdminDb(how);
    const before = db.prepare('SELECT * FROM users').all();
    const { auth, lines } = authOn(db);
    expect(await auth.ensureAdmin()).toEqual({ created: false, username: 'admin', noActiveAdmin: true });
    expect(db.prepare('SELECT * FROM users').all()).toEqual(before);
    expect(lines).toEqual([ADMIN_START_MESSAGES.noActiveAdmin]);
    expect(lines[0]).toContain('没有启用的管理员账号');
    expect(lines[0]).toContain('LINSHENG_ADMIN_PASSWORD');
    expect(lines[0]).toContain('npx linsheng create-user --username <new-name> --role admin');
  });

  it.each(['demoted', 'disabled'] as const)('re-enables admin (%s) as administrator with LINSHENG_ADMIN_PASSWORD', async (how) => {
    const { db, adminId } = demotedAdminDb(how);
    const sessions = createSessionRepo(sqliteEngine(db).queries);
    await sessions.create('old-session', adminId, 'csrf', Date.now(), Date.now() + 60_000);
    const { auth, lines } = authOn(db, { adminPassword: 'recovered-123' });
    expect(await auth.ensureAdmin()).toEqual({ created: false, username: 'admin', restored: true });
    expect(lines).toEqual([ADMIN_START_MESSAGES.restored]);
    const user = await auth.checkCredentials('admin', 'recovered-123');
    expect(user).toMatchObject({ id: adminId, role: 'admin', disabled: false, canSeePersonalData: true, scopePlaceId: null, claimerKind: null });
    expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM user_grids').pluck().get()).toBe(0);
    expect(await sessions.findLive('old-session', Date.now())).toBeUndefined();
    // The next start finds an active admin and changes nothing.
    expect(await auth.ensureAdmin()).toEqual({ created: false, username: 'admin' });
    expect(lines).toHaveLength(1);
  });

  it('leaves an existing active admin alone even when admin itself is disabled', async () => {
    const { db, adminId } = demotedAdminDb('disabled');
    createUser(db, { username: 'wang', role: 'admin' });
    const { auth, lines } = authOn(db, { adminPassword: 'recovered-123' });
    expect((await auth.ensureAdmin()).created).toBe(false);
    expect(lines).toEqual([]);
    expect(db.prepare('SELECT disabled FROM users WHERE id = ?').pluck().get(adminId)).toBe(1);
  });
});

describe('the real server with its only admin demoted', () => {
  let dataDir: string;
  beforeEach(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-admin-start-')); });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts and prints the recovery hint, then restores admin when LINSHENG_ADMIN_PASSWORD is set', async () => {
    demotedAdminDb('demoted', dbFile(dataDir)).db.close();

    const first = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: '' } });
    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    expect(first.output()).toContain('npx linsheng create-user');
    expect(first.output()).not.toMatch(/SQLITE_CONSTRAINT|password:/);
    expect(await first.stop()).toBe(0);

    const second = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'recovered-123' } });
    expect(second.output()).toContain('已按 LINSHENG_ADMIN_PASSWORD 重新启用账号 admin');
    expect(await second.stop()).toBe(0);
    const db = new Database(dbFile(dataDir), { readonly: true });
    expect(db.prepare("SELECT role, disabled FROM users WHERE username = 'admin'").get()).toEqual({ role: 'admin', disabled: 0 });
    expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(1);
    db.close();
  }, 60_000);
});
