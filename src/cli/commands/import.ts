import fs from 'node:fs';
import path from 'node:path';
import type { Viewer } from '../../access/rules';
import { createContext, type AppContext } from '../../context';
import { DomainError } from '../../lib/errors';
import { CLI_BUSY_TIMEOUT_MS, CLI_PAUSE_MS, pauseSync, syncWalNow } from '../../db/busy';
import type { AppDatabase } from '../../db/database';
import type { SqliteEngineOptions } from '../../db/engine';
import { parseSpreadsheet, type ParsedSheet } from '../../intake/import/parse-sheet';
import { formatReport, INTAKE_CHANNELS, type ImportReport, type IntakeChannel, type IntakeService } from '../../intake/service';
import { CHANNEL_LABELS } from '../../submissions/types';
import { CliError, parseId, UsageError, type CliIo, type Command } from '../args';
import { campaignNotFoundMessage, openCliDatabase } from '../cli-db';

const CHANNEL_LIST = INTAKE_CHANNELS.map((c) => `${c}（${CHANNEL_LABELS[c]}）`).join('、');

/**
 * Imports spreadsheets like the web page does, without the preview. Several files (a shell glob) are each
 * imported, in the order given, but only once all of them could be read: a file that cannot be read stops the
 * whole run before anything is written. Exit 0 when the files could be read (even if every row was rejected:
 * the report says why); 1 when a file could not be read; 2 for bad usage or an unknown campaign or account.
 */
export const importCommand: Command = {
  summaryZh: '导入线下意见表格（.xlsx / .csv，UTF-8 或 GBK）',
  summary: 'Import spreadsheets (.xlsx/.csv) of offline submissions',
  usage: `npx linsheng import <file>… --campaign <id> [--user <username>] [--channel ${INTAKE_CHANNELS.join('|')}] [--accept-old-dates]`,
  options: [
    { name: 'campaign', value: '<id>', zh: '导入到哪个征求意见活动（npx linsheng campaigns 可列出编号）', en: 'the campaign to import into (see npx linsheng campaigns)' },
    { name: 'user', value: '<username>', zh: '以这个账号的名义导入，只收其负责范围内的行', en: "import as this account, within its scope only" },
    { name: 'channel', value: '<channel>', zh: `意见来源，默认 door_to_door：${CHANNEL_LIST}`, en: 'where the opinions came from (default door_to_door)' },
    {
      name: 'accept-old-dates',
      zh: '日期早于活动开始日期或在一年多以前的行，已核实无误，照样导入（不加此项则这些行不导入，报告列出行号）',
      en: 'import rows dated before the campaign began or over a year ago, as checked (without it they are rejected by row number)',
    },
  ],
  positional: {
    min: 1, max: Infinity, name: '<file>',
    missingZh: '请指定要导入的表格文件。', missingEn: 'Give the spreadsheet file(s) to import.',
  },
  notes: [
    '可以一次给多个文件（如 *.csv）：先全部读取，都能读才逐个导入；已导入过的行会跳过，重复导入不会重复添加。',
    'Several files (e.g. *.csv) are all read first and imported one by one only if each could be read; rows imported before are skipped.',
  ],
  async run(args, io) {
    const { values } = args;
    if (values.campaign === undefined) {
      throw new UsageError('请用 --campaign <编号> 指定导入到哪个征求意见活动（npx linsheng campaigns 可列出）。 '
        + 'Missing --campaign <id>: which campaign to import into (see npx linsheng campaigns).');
    }
    const campaignId = parseId('campaign', values.campaign);
    const channel = (values.channel ?? 'door_to_door') as IntakeChannel;
    if (!INTAKE_CHANNELS.includes(channel)) {
      throw new UsageError(`--channel「${values.channel}」不是可导入的意见来源，可选：${CHANNEL_LIST}`
        + `${values.channel === 'online' ? '；线上扫码的意见由居民自己提交，不能导入' : ''}。 `
        + `--channel "${values.channel}" is not an import channel: use one of ${INTAKE_CHANNELS.join(', ')}.`);
    }

    io.startBatchJob?.();
    const cli = await openCliDatabase(io, { sqliteEngine: IMPORTING_ON_SQLITE });
    const ctx = createContext(cli.config, cli.database);
    try {
      const campaign = await ctx.campaigns.findById(campaignId);
      if (!campaign) throw new CliError(campaignNotFoundMessage(campaignId), 2);
      let user: Viewer | null = null;
      if (values.user !== undefined) {
        const found = (await ctx.users.findByUsername(values.user))?.user;
        user = found && !found.disabled ? await ctx.access.viewerOf(found) : null;
        if (!user) {
          throw new CliError(`找不到账号「${values.user}」（或已停用）。 No active account "${values.user}".`, 2);
        }
      }

      const sheets = await readAll(args.positional, io);
      if (!sheets) return 1;

      io.out(`导入到 Importing into: 征求意见活动 #${campaign.id}「${campaign.title}」；`
        + `来源 channel: ${CHANNEL_LABELS[channel]}（${channel}）${user ? `；账号 as user: ${user.username}` : ''}`);
      const reports: ImportReport[] = [];
      for (const { file, sheet } of sheets) {
        if (sheets.length > 1) io.out('');
        reports.push(await importOne(ctx, cli.database, user, campaignId, sheet, channel, file, args.switches.has('accept-old-dates')));
        for (const line of formatReport(reports[reports.length - 1])) io.out(line);
      }
      if (reports.length > 1) {
        const sum = (f: (r: ImportReport) => number) => reports.reduce((n, r) => n + f(r), 0);
        io.out('');
        io.out(`合计 ${reports.length} 个文件 Total of ${reports.length} files：导入 ${sum((r) => r.imported)} 条；`
          + `已导入过（跳过）${sum((r) => r.alreadyImported.length)} 条；有问题未导入 ${sum((r) => r.rejected.length)} 条`);
      }
      return 0;
    } finally {
      await ctx.stopAll();
      await cli.close();
    }
  },
};

/**
 * SQLite: the import's engine (the context's, so there is one queue on the connection) waits up to
 * CLI_BUSY_TIMEOUT_MS for a live server's write lock, and commits without waiting for the disk; importOne syncs the
 * WAL once after the last chunk (src/db/busy.ts syncWalNow). An fsync per chunk of COMMIT_CHUNK_ROWS rows would slow
 * a 50,000-row import and fill the disk queue that the server's residents' commits wait in. PostgreSQL needs neither:
 * its writers wait for rows, not for the database, and the durable report commit covers the chunks before it.
 */
export const IMPORTING_ON_SQLITE: SqliteEngineOptions = {
  // The engine's WAL sync after each commit, left to the end of each file's import (importOne).
  syncWal: async () => undefined,
  writeDeadlineMs: CLI_BUSY_TIMEOUT_MS,
};

async function importOne(ctx: AppContext, database: AppDatabase, user: Viewer | null, campaignId: number, sheet: ParsedSheet,
  channel: IntakeChannel, file: string, acceptOldDates: boolean): Promise<ImportReport> {
  const intake: IntakeService = ctx.intakeService;
  const sqlite = database.sqlite;
  try {
    // SQLite: short units of work with a pause after each, so a server running on the same database keeps taking
    // residents' submissions during a 50,000-row import (src/db/busy.ts). PostgreSQL's writers do not take turns.
    const between = sqlite ? () => pauseSync(CLI_PAUSE_MS) : undefined;
    const report = await intake.importSheet(user, campaignId, sheet, channel, path.basename(file), { acceptOldDates, between });
    // The chunks were committed unsynced: on the disk before the report says they are in.
    if (sqlite) syncWalNow(sqlite.db);
    return report;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    // The campaign exists (checked before), so a 404 here means it is out of reach, not missing.
    if (err.kind === 'not_found') {
      throw new CliError(user
        ? `账号「${user.username}」负责的范围不在征求意见活动 #${campaignId} 里，不能以这个账号导入。 `
          + `The account "${user.username}" has no community in campaign #${campaignId}.`
        : `征求意见活动 #${campaignId} 还没有覆盖任何社区，无法导入；请先添加社区。 Campaign #${campaignId} covers no community yet.`, 2);
    }
    // A synchronous read: the import has not moved to the asynchronous seam yet.
    const draftEn = (await ctx.campaigns.findById(campaignId))?.status === 'draft' ? ' The campaign is still a draft: publish it first.' : '';
    throw new CliError(`征求意见活动 #${campaignId}：${err.message}${draftEn}`, 2);
  }
}

/** Reads and parses every file, or prints why each unreadable one failed and returns null. */
async function readAll(files: string[], io: CliIo): Promise<Array<{ file: string; sheet: ParsedSheet }> | null> {
  const sheets: Array<{ file: string; sheet: ParsedSheet }> = [];
  let failed = 0;
  for (const file of files) {
    try {
      sheets.push({ file, sheet: await readOne(file) });
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      io.err(err.message);
      failed++;
    }
  }
  if (!failed) return sheets;
  if (files.length > 1) io.err(`${failed} 个文件无法读取，所有文件都没有导入。 ${failed} file(s) could not be read: nothing was imported.`);
  return null;
}

async function readOne(file: string): Promise<ParsedSheet> {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? '文件不存在 no such file'
      : code === 'EISDIR' ? '这是一个目录 it is a directory'
        : code === 'EACCES' || code === 'EPERM' ? '没有读取权限 permission denied'
          : (err as Error).message;
    throw new CliError(`无法读取文件 ${file}：${why}。 Cannot read ${file}.`);
  }
  let sheet: ParsedSheet;
  try {
    sheet = await parseSpreadsheet(buf);
  } catch (err) {
    if (err instanceof DomainError) throw new CliError(`${err.message}（文件 file: ${file}）`);
    throw err;
  }
  if (sheet.rows.length === 0) {
    throw new CliError(`表格中没有数据行（表头下面都是空行）。 ${file} has no data rows below its header.`);
  }
  return sheet;
}
