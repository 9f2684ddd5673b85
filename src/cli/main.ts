import { giveWay } from './batch-job';
import { loadConfig } from '../config';
import { dbFile } from '../db/open-db';
import { CliError, closest, commandHelp, EXIT_CODES_LINE, parseArgs, UsageError, wantsHelp, type CliIo, type Command } from './args';
import { backupCommand } from './commands/backup';
import { campaignsCommand } from './commands/campaigns';
import { classifyCommand } from './commands/classify';
import { createUserCommand } from './commands/create-user';
import { demoCommand } from './commands/demo';
import { groupCommand } from './commands/group';
import { importCommand } from './commands/import';
import { qrListCommand } from './commands/qr-list';
import { migrateCommand } from './commands/migrate';
import { restoreCommand } from './commands/restore';

export type { CliIo, Command } from './args';

export const COMMANDS: Record<string, Command> = {
  'create-user': createUserCommand,
  backup: backupCommand,
  restore: restoreCommand,
  migrate: migrateCommand,
  campaigns: campaignsCommand,
  'qr-list': qrListCommand,
  import: importCommand,
  classify: classifyCommand,
  group: groupCommand,
  demo: demoCommand,
};

const defaultIo: CliIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  stdin: process.stdin,
  env: process.env,
  // A batch job gives way to a live server on the same machine, which has residents to answer.
  startBatchJob: giveWay,
};

/** Runs one command line; returns the exit code: 0 ok, 1 failure, 2 bad usage. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    topHelp(io).forEach((l) => io.err(l));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const about = rest[0];
    if (about === undefined) { topHelp(io).forEach((l) => io.out(l)); return 0; }
    if (!Object.hasOwn(COMMANDS, about)) return unknownCommand(about, io);
    commandHelp(about, COMMANDS[about]).forEach((l) => io.out(l));
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) return unknownCommand(name, io);
  const command = COMMANDS[name];
  if (wantsHelp(rest)) {
    commandHelp(name, command).forEach((l) => io.out(l));
    return 0;
  }
  try {
    return await command.run(parseArgs(rest, command), io);
  } catch (err) {
    if (err instanceof UsageError) {
      err.message.split('\n').forEach((l) => io.err(l));
      io.err('用法 Usage: ' + command.usage);
      io.err(`说明 Help: npx linsheng ${name} --help`);
      return 2;
    }
    if (err instanceof CliError) {
      err.message.split('\n').forEach((l) => io.err(l));
      return err.exitCode;
    }
    io.err(`出错了，命令没有完成。 The command failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

function unknownCommand(name: string, io: CliIo): number {
  const near = closest(name, Object.keys(COMMANDS));
  io.err(`未知命令 Unknown command: ${name}${near ? `（是不是 did you mean ${near}？）` : ''}`);
  io.err('可用的命令 Commands: ' + Object.keys(COMMANDS).join(' '));
  io.err('说明 Help: npx linsheng --help');
  return 2;
}

function topHelp(io: CliIo): string[] {
  let dataDir = '';
  try {
    dataDir = `（现在是 now: ${dbFile(loadConfig(io.env).dataDir)}）`;
  } catch {
    // Bad settings are reported when a command runs; the help still shows.
  }
  const lines = [
    '邻声 Linsheng 命令行 operator CLI',
    '',
    '用法 Usage: npx linsheng <command> [options]',
    '            npx linsheng <command> --help    一个命令的说明 help for one command',
    '',
    '命令 Commands:',
  ];
  for (const [n, c] of Object.entries(COMMANDS)) {
    lines.push(`  ${n.padEnd(12)} ${c.summaryZh} ${c.summary}`, `  ${''.padEnd(12)} ${c.usage}`);
  }
  lines.push(
    '',
    `数据库在 DATA_DIR/linsheng.db${dataDir}；DATA_DIR 默认是项目里的 data/。`,
    'The database is DATA_DIR/linsheng.db; DATA_DIR defaults to data/ in the project.',
    '设置了 DATABASE_URL 时，命令使用那个 PostgreSQL 数据库（backup、restore 请用 pg_dump、pg_restore）。',
    'With DATABASE_URL set, the commands use that PostgreSQL database (back up and restore with pg_dump and pg_restore).',
    EXIT_CODES_LINE,
  );
  return lines;
}
