import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { COMMANDS, main } from '../../src/cli/main';
import { dbFile } from '../../src/db/open-db';
import { captureIo, tempDataDir } from '../helpers/cli-io';

describe('npx linsheng: help, usage errors and a broken DATA_DIR, for every command', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDataDir('linsheng-usage-')));
  afterEach(() => cleanup());
  const names = Object.keys(COMMANDS);

  const run = async (argv: string[], env: NodeJS.ProcessEnv = { DATA_DIR: path.join(dir, 'data') }) => {
    const c = captureIo(env);
    // A stdin that never ends: a command that waited on it (classify) would hang the test.
    c.io.stdin = new PassThrough();
    return { code: await main(argv, c.io), ...c };
  };

  it.each([['--help'], ['-h'], ['help']])('%s prints the usage with every command, in Chinese and English, exit 0', async (flag) => {
    const r = await run([flag]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([]);
    for (const [name, c] of Object.entries(COMMANDS)) {
      expect(r.text()).toContain(`  ${name.padEnd(12)} ${c.summaryZh} ${c.summary}`);
      expect(r.text()).toContain(c.usage);
    }
    expect(r.text()).toContain('退出码 Exit codes: 0 成功 ok，1 失败 failure，2 用法错误 bad usage');
    expect(r.text()).toContain(dbFile(path.join(dir, 'data')));
  });

  it('with no command prints the usage on stderr with exit 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.errors()).toContain('用法 Usage: npx linsheng <command> [options]');
  });

  it('refuses an unknown command, suggesting a near one', async () => {
    const r = await run(['improt']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('未知命令 Unknown command: improt（是不是 did you mean import？）');
    const h = await run(['help', 'nothing']);
    expect(h.code).toBe(2);
    expect(h.err[0]).toContain('Unknown command: nothing');
  });

  it.each(names)('%s with --help or -h, or after help, prints its help with exit 0, touching no database', async (name) => {
    for (const argv of [[name, '--help'], [name, '-h'], ['help', name], [name, '--campaign', '1', '--help']]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.err).toEqual([]);
      expect(r.out[0]).toBe(`npx linsheng ${name} — ${COMMANDS[name].summaryZh} ${COMMANDS[name].summary}`);
      expect(r.out).toContain(`用法 Usage: ${COMMANDS[name].usage}`);
      for (const o of COMMANDS[name].options) expect(r.text()).toContain(`--${o.name}`);
      expect(r.text()).toContain('退出码 Exit codes:');
    }
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it.each(names)('%s refuses an unknown option, naming it, with exit 2', async (name) => {
    const r = await run([name, '--bogus', 'x']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('未知选项 Unknown option: --bogus');
    expect(r.err[1]).toBe(`可用的选项 Options: ${COMMANDS[name].options.map((o) => `--${o.name}`).join(' ') || '无 none'}`);
    expect(r.err).toContain(`用法 Usage: ${COMMANDS[name].usage}`);
    expect(r.err).toContain(`说明 Help: npx linsheng ${name} --help`);
    expect(r.out).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });

  /** Arguments that get each command as far as opening the database. */
  const reachDb = (): Record<string, string[]> => {
    const csv = path.join(dir, 'rows.csv');
    fs.writeFileSync(csv, '走访日期,社区,诉求内容\n2023-11-02,永安社区,路灯坏了\n');
    const notes = path.join(dir, 'notes.db');
    fs.writeFileSync(notes, 'also notes, not a backup\n'.repeat(100));
    return {
      'create-user': ['--username', 'li', '--role', 'admin'],
      backup: [path.join(dir, 'copy.db')],
      campaigns: [],
      'qr-list': ['--campaign', '1'],
      import: [csv, '--campaign', '1'],
      classify: [],
      group: [],
      demo: [],
      migrate: [],
      // A backup that is no database either: restore must refuse it and leave linsheng.db alone.
      restore: [notes],
    };
  };

  it('every command says plainly, with the path, that linsheng.db is not a database (exit 1)', async () => {
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(dbFile(data), 'these are my notes, not a database\n'.repeat(100));
    const args = reachDb();
    expect(Object.keys(args).sort()).toEqual([...names].sort());
    for (const name of names) {
      const r = await run([name, ...args[name]]);
      expect([name, r.code]).toEqual([name, 1]);
      if (name === 'restore') {
        // restore exists to replace a damaged database, so what it judges is the backup it was given.
        expect(r.err.join('\n')).toContain(`${args.restore[0]} 不是数据库文件`);
        expect(r.err[0]).toContain('没有恢复');
        continue;
      }
      expect(r.err).toEqual([`${dbFile(data)} 不是数据库文件（可能被别的文件覆盖或已损坏），请检查 DATA_DIR，或从备份恢复（见 README「备份」）。 `
        + `${dbFile(data)} is not a database file (overwritten or damaged?): check DATA_DIR or restore a backup.`]);
    }
    expect(fs.readFileSync(dbFile(data), 'utf8')).toMatch(/^these are my notes/);
    expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
  });

  it('every command that uses the database says DATA_DIR is a file (exit 1), not EEXIST', async () => {
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, 'not a directory');
    const args = reachDb();
    // classify and group need no database: without one they use the default model, as the README says.
    for (const name of names.filter((n) => n !== 'classify' && n !== 'group')) {
      const r = await run([name, ...args[name]], { DATA_DIR: file });
      expect([name, r.code]).toEqual([name, 1]);
      expect(r.err).toEqual([`DATA_DIR（${file}）是一个文件，不是目录；请把 DATA_DIR 设为存放数据库的目录。 `
        + `DATA_DIR ${file} is a file, not a directory: set DATA_DIR to the directory that holds linsheng.db.`]);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it('a directory where linsheng.db should be is refused with its path (exit 1)', async () => {
    const data = path.join(dir, 'data');
    fs.mkdirSync(dbFile(data), { recursive: true });
    const r = await run(['create-user', '--username', 'li', '--role', 'admin']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toContain(`${dbFile(data)} 不是文件`);
  });

  it('bad settings in the environment are bad usage, with the variable named', async () => {
    const r = await run(['campaigns'], { DATA_DIR: path.join(dir, 'data'), LINSHENG_SYNCHRONOUS: 'SOMETIMES' });
    expect(r.code).toBe(2);
    expect(r.err[0]).toContain('环境变量设置有误');
    expect(r.errors()).toContain('LINSHENG_SYNCHRONOUS');
  });
});
