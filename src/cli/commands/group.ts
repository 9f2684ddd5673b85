import readline from 'node:readline';
import { createClassifyRepo } from '../../classify/repo';
import { createClassifyService } from '../../classify/service';
import { createGrouping } from '../../grouping/service';
import type { Command } from '../args';
import { openCliDatabaseOrScratch } from '../cli-db';

export const groupCommand: Command = {
  summaryZh: '把描述同一个问题的意见归为一组：每行读入 社区<TAB>原文，输出 组号<TAB>社区<TAB>原文',
  summary: 'Groups suggestions that describe the same problem: reads <community><TAB><text> lines, prints <group><TAB><community><TAB><text>',
  usage: 'npx linsheng group < suggestions.tsv',
  options: [],
  positional: {
    min: 0, max: 0,
    extraHint: 'group 从标准输入读取，例如 npx linsheng group < suggestions.tsv。 group reads standard input: npx linsheng group < suggestions.tsv',
  },
  notes: [
    '每行输出一条，顺序与输入相同；组号相同的属于同一个问题。不同社区的意见不会分到一组。没有社区（行里没有 TAB）的意见各自成组。',
    'One line out per line in, in input order; lines with the same group number describe one problem. Lines of different communities are never grouped; a line without a TAB has no community and stays on its own.',
    '用 DATA_DIR（或 DATABASE_URL）数据库里工作人员的分类更正给意见分类；没有数据库时用默认模型，不会新建数据库。',
    "Categories come from the classifier with the staff's corrections in the database at DATA_DIR (or DATABASE_URL); without a database the default model runs and none is created.",
  ],
  async run(_args, io) {
    const cli = await openCliDatabaseOrScratch(io);
    try {
      if ((io.stdin as { isTTY?: boolean }).isTTY) {
        io.err('请输入 社区<TAB>原文，每行一条，按 Ctrl-D 结束。 Type <community><TAB><text> per line, Ctrl-D to finish.');
      }
      const rows: Array<{ community: string | null; text: string }> = [];
      let first = true;
      for await (const raw of readline.createInterface({ input: io.stdin, crlfDelay: Infinity })) {
        const line = first ? raw.replace(/^\uFEFF/, '') : raw;
        first = false;
        const tab = line.indexOf('\t');
        rows.push(tab < 0 ? { community: null, text: line } : { community: line.slice(0, tab), text: line.slice(tab + 1) });
      }
      const classify = createClassifyService({ repo: createClassifyRepo(cli.engine.queries) });
      const items = [];
      for (const [i, r] of rows.entries()) {
        items.push({ key: i, community: r.community, text: r.text, categoryId: r.text.trim() ? (await classify.suggest(r.text))[0]?.categoryId ?? null : null });
      }
      const groups = createGrouping().group(items);
      rows.forEach((r, i) => io.out(`${groups[i]}\t${r.community ?? ''}\t${r.text}`));
      return 0;
    } finally {
      await cli.close();
    }
  },
};
