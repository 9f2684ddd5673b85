import { createCampaignRepo } from '../../campaigns/repo';
import { CAMPAIGN_STATUS_LABELS } from '../../campaigns/rules';
import type { Command } from '../args';
import { openCliDatabase } from '../cli-db';

/** Lists the campaigns with their ids, which import and qr-list ask for. */
export const campaignsCommand: Command = {
  summaryZh: '列出征求意见活动及其编号',
  summary: 'List the campaigns with their ids',
  usage: 'npx linsheng campaigns',
  options: [],
  positional: { min: 0, max: 0 },
  notes: [
    '每个活动一行：编号、状态、起止日期、意见条数、标题，用制表符分隔。',
    'One line per campaign: <id><TAB><status><TAB><from>~<to><TAB><submissions><TAB><title>.',
  ],
  async run(_args, io) {
    const cli = await openCliDatabase(io);
    try {
      const campaigns = await createCampaignRepo(cli.engine.queries).listSummaries();
      if (campaigns.length === 0) io.err('还没有征求意见活动。 No campaigns yet.');
      for (const c of campaigns) {
        // A tab or newline inside a title would break the columns.
        io.out([c.id, CAMPAIGN_STATUS_LABELS[c.status], `${c.startsOn}~${c.endsOn}`, c.submissionCount, c.title.replace(/[\t\r\n]+/g, ' ')].join('\t'));
      }
      return 0;
    } finally {
      await cli.close();
    }
  },
};
