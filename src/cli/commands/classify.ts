import fs from 'node:fs';
import readline from 'node:readline';
import { createClassifyRepo } from '../../classify/repo';
import { createClassifyService } from '../../classify/service';
import { loadConfig } from '../../config';
import { dbFile, openDb } from '../../db/open-db';
import { parseArgs, type Command } from '../main';

export const classifyCommand: Command = {
  summary: 'Reads one text per line, prints <category><TAB><text>',
  usage: 'npx linsheng classify [--campaign <id>] < texts.txt',
  async run(args, io) {
    const { flags } = parseArgs(args);
    const campaignId = flags.campaign === undefined ? null : Number(flags.campaign);
    if (campaignId !== null && !(Number.isInteger(campaignId) && campaignId > 0)) {
      io.err('--campaign 应为征求意见活动的编号 must be a campaign id, e.g. --campaign 1');
      return 2;
    }
    const config = loadConfig(io.env);
    const file = dbFile(config.dataDir);
    // The same model as the app: this database's corrections on top of the seed. Without a database yet there
    // are no corrections, so the default model runs on a throw-away in-memory one instead of creating a file.
    const db = fs.existsSync(file) ? openDb({ file, synchronous: config.synchronous }) : openDb({ file: ':memory:' });
    try {
      const classify = createClassifyService({ repo: createClassifyRepo(db) });
      const lines = readline.createInterface({ input: io.stdin, crlfDelay: Infinity });
      let first = true;
      for await (const raw of lines) {
        const text = first ? raw.replace(/^\uFEFF/, '') : raw;
        first = false;
        if (!text.trim()) continue;
        const best = classify.suggest(text, campaignId)[0];
        io.out(`${best?.name ?? ''}\t${text}`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
