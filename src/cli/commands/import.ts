import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../main';
import { parseArgs } from '../main';
import { loadConfig } from '../../config';
import { dbFile, openDb } from '../../db/open-db';
import { createContext } from '../../context';
import { HttpError } from '../../http/http-error';
import { createIntakeService, formatReport, INTAKE_CHANNELS, type IntakeChannel } from '../../intake/service';
import { parseSpreadsheet } from '../../intake/import/parse-sheet';

/**
 * Imports a spreadsheet like the web page does, without the preview. Exit code 0 when the file could be
 * read (even if every row was rejected: the report says why); 1 when nothing could be read; 2 for bad usage.
 */
export const importCommand: Command = {
  summary: 'Import a spreadsheet (.xlsx/.csv) of offline submissions',
  usage: 'npx linsheng import <file> --campaign <id> [--user <username>] [--channel door_to_door|meeting|paper_survey|city_app|hotline]',
  async run(args, io) {
    const { flags, positional } = parseArgs(args);
    const file = positional[0];
    const campaignId = Number(flags.campaign);
    const channel = (flags.channel ?? 'door_to_door') as IntakeChannel;
    if (!file || !Number.isInteger(campaignId) || campaignId <= 0 || !INTAKE_CHANNELS.includes(channel)) {
      io.err('用法 Usage: ' + importCommand.usage);
      return 2;
    }
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (err) {
      io.err(`无法读取文件 ${file}：${(err as Error).message}`);
      return 1;
    }

    const config = loadConfig(io.env);
    const db = openDb({ file: dbFile(config.dataDir), synchronous: config.synchronous });
    const ctx = createContext(config, db);
    try {
      const intake = createIntakeService(ctx);
      let user = null;
      if (flags.user) {
        user = ctx.users.findByUsername(flags.user)?.user ?? null;
        if (!user || user.disabled) { io.err(`找不到账号 ${flags.user}（或已停用）。`); return 2; }
      }
      let sheet;
      try {
        sheet = await parseSpreadsheet(buf);
      } catch (err) {
        if (err instanceof HttpError) { io.err(err.message); return 1; }
        throw err;
      }
      if (sheet.rows.length === 0) {
        io.err('表格中没有数据行（表头下面都是空行）。');
        return 1;
      }
      let report;
      try {
        report = intake.importSheet(user, campaignId, sheet, channel, path.basename(file));
      } catch (err) {
        if (err instanceof HttpError) { io.err(`征求意见 #${campaignId}：${err.message}`); return 2; }
        throw err;
      }
      for (const line of formatReport(report)) io.out(line);
      return 0;
    } finally {
      ctx.onShutdown.forEach((fn) => fn());
      db.close();
    }
  },
};
