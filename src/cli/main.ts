import fs from 'node:fs';
import { loadConfig } from '../config';
import { dbFile } from '../db/open-db';
import { backupCommand } from './commands/backup';
import { classifyCommand } from './commands/classify';
import { createUserCommand } from './commands/create-user';
import { demoCommand } from './commands/demo';
import { importCommand } from './commands/import';
import { qrListCommand } from './commands/qr-list';

/** A CLI command: gets its arguments (after the command name), returns the process exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export const COMMANDS: Record<string, Command> = {
  'create-user': createUserCommand,
  backup: backupCommand,
  'qr-list': qrListCommand,
  demo: demoCommand,
  import: importCommand,
  classify: classifyCommand,
};

/** Reads `--name value` pairs and bare positional arguments. */
export function parseArgs(args: string[]): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags[a.slice(2)] = args[++i];
      else flags[a.slice(2)] = 'true';
    } else positional.push(a);
  }
  return { flags, positional };
}

export async function main(argv: string[], io: CliIo = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  stdin: process.stdin,
  env: process.env,
}): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(name ? `未知命令 Unknown command: ${name}` : '用法 Usage: npx linsheng <command> [options]');
    for (const [n, c] of Object.entries(COMMANDS)) io.err(`  ${n.padEnd(12)} ${c.summary}\n               ${c.usage}`);
    return name ? 2 : 0;
  }
  return command.run(rest, io);
}

/**
 * The database file at DATA_DIR when it exists; otherwise says so and returns null, because a typo in
 * DATA_DIR must not quietly create an empty database for a read-only command.
 */
export function existingDbFile(io: CliIo): { config: ReturnType<typeof loadConfig>; file: string } | null {
  const config = loadConfig(io.env);
  const file = dbFile(config.dataDir);
  if (fs.existsSync(file)) return { config, file };
  io.err(`找不到数据库 ${file}，请检查 DATA_DIR。 No database at ${file}: check DATA_DIR.`);
  return null;
}
