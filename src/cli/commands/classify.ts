import readline from 'node:readline';
import { createClassifyRepo } from '../../classify/repo';
import { createClassifyService } from '../../classify/service';
import { parseId, type Command } from '../args';
import { openCliDatabaseOrScratch } from '../cli-db';

export const classifyCommand: Command = {
  summaryZh: '自动分类：每行读入一条意见，输出 分类<TAB>原文',
  summary: 'Reads one text per line, prints <category><TAB><text>',
  usage: 'npx linsheng classify [--campaign <id>] < texts.txt',
  options: [{
    name: 'campaign', value: '<id>', zh: '只在这个活动选用的分类里选（npx linsheng campaigns 可列出）',
    en: "choose among this campaign's categories only (see npx linsheng campaigns)",
  }],
  positional: {
    min: 0, max: 0,
    extraHint: 'classify 从标准输入读取文字，例如 npx linsheng classify < texts.txt。 classify reads standard input: npx linsheng classify < texts.txt',
  },
  notes: [
    '用 DATA_DIR（或 DATABASE_URL）数据库里工作人员的分类更正；没有数据库时用默认模型，不会新建数据库。',
    "Uses the staff's corrections in the database at DATA_DIR (or DATABASE_URL); without a database the default model runs and none is created.",
  ],
  async run(args, io) {
    const campaignId = args.values.campaign === undefined ? null : parseId('campaign', args.values.campaign);
    // The same model as the app: this database's corrections on top of the seed. Without a database yet there
    // are no corrections, so the default model runs on a throw-away in-memory one instead of creating a file.
    const cli = await openCliDatabaseOrScratch(io);
    try {
      const classify = createClassifyService({ repo: createClassifyRepo(cli.engine.queries) });
      if ((io.stdin as { isTTY?: boolean }).isTTY) {
        io.err('请输入文字，每行一条，按 Ctrl-D 结束。 Type one text per line, Ctrl-D to finish.');
      }
      const lines = readline.createInterface({ input: io.stdin, crlfDelay: Infinity });
      let first = true;
      for await (const raw of lines) {
        const text = first ? raw.replace(/^\uFEFF/, '') : raw;
        first = false;
        if (!text.trim()) continue;
        const best = (await classify.suggest(text, campaignId))[0];
        io.out(`${best?.name ?? ''}\t${text}`);
      }
      return 0;
    } finally {
      await cli.close();
    }
  },
};
