import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main';
import { loadConfig } from '../../src/config';
import { loadPostgresMigrations } from '../../src/db/postgres/migrate';
import { captureIo, tempDataDir } from '../helpers/cli-io';
import { runChildServerToExit } from '../helpers/child-server';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

describe('DATABASE_URL', () => {
  it('must name PostgreSQL; anything else is refused with the setting that is wrong', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db.example:5432/linsheng' }).databaseUrl).toBe('postgres://u:p@db.example:5432/linsheng');
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:p@db/linsheng' })).toThrow(/DATABASE_URL: must be a PostgreSQL URL/);
  });

  it('points backup and restore to pg_dump and pg_restore, and says so when a command cannot reach the server', async () => {
    const env = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none' };
    const backup = captureIo(env);
    expect(await main(['backup', '/tmp/x.db'], backup.io)).toBe(2);
    expect(backup.errors()).toContain('pg_dump --format=custom');
    const restore = captureIo(env);
    expect(await main(['restore', '/tmp/x.db'], restore.io)).toBe(2);
    expect(restore.errors()).toContain('pg_restore --clean');
    const { dir, cleanup } = tempDataDir();
    try {
      const other = captureIo({ DATABASE_URL: 'postgres://u:secret-pw@127.0.0.1:1/none', DATA_DIR: dir });
      expect(await main(['campaigns'], other.io)).toBe(1);
      expect(other.errors()).toContain('连接或读取 PostgreSQL 数据库失败（DATABASE_URL）');
      expect(other.errors()).not.toContain('secret-pw');
      // Not quietly on SQLite instead.
      expect(fs.existsSync(path.join(dir, 'linsheng.db'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('makes the server say so when PostgreSQL cannot be reached, rather than quietly use SQLite', async () => {
    const { dir, cleanup } = tempDataDir();
    try {
      const r = await runChildServerToExit({ script: 'src/server.ts', env: { DATA_DIR: dir, PORT: '0', DATABASE_URL: 'postgres://u:secret-pw@127.0.0.1:1/none' } });
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('连接或读取 PostgreSQL 数据库失败（DATABASE_URL）');
      expect(r.out).not.toContain('secret-pw');
      expect(fs.existsSync(path.join(dir, 'linsheng.db'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describeOnPostgres('npx linsheng migrate on PostgreSQL', () => {
  it('lists, applies, and then finds nothing to do', async () => {
    const db = await freshPostgresDatabase();
    try {
      const env = { DATABASE_URL: db.url };
      const dry = captureIo(env);
      expect(await main(['migrate', '--dry-run'], dry.io)).toBe(0);
      expect(dry.out).toHaveLength(1 + loadPostgresMigrations().length);
      const run = captureIo(env);
      expect(await main(['migrate'], run.io)).toBe(0);
      expect(run.text()).toContain(`Applied ${loadPostgresMigrations().length} migration(s) on PostgreSQL`);
      const again = captureIo(env);
      expect(await main(['migrate'], again.io)).toBe(0);
      expect(again.text()).toContain('The PostgreSQL database is up to date');
    } finally {
      await db.drop();
    }
  });

  it('says so when the server cannot be reached', async () => {
    const io = captureIo({ DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' });
    expect(await main(['migrate'], io.io)).toBe(1);
    expect(io.errors()).toContain('连接或读取 PostgreSQL 数据库失败');
    expect(io.errors()).not.toContain('wrong');
  });
});
