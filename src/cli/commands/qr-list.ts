import { createCampaignRepo } from '../../campaigns/repo';
import { createQrRepo } from '../../qr/repo';
import { qrUrl } from '../../qr/token';
import { CliError, parseId, UsageError, type Command } from '../args';
import { campaignNotFoundMessage, openCliDatabase } from '../cli-db';

/** Lists a campaign's QR codes as `<url>\t<label>`, for print shops and spreadsheets. */
export const qrListCommand: Command = {
  summaryZh: '列出一个活动的二维码：每行 网址<TAB>名称',
  summary: 'Print <url><TAB><label> for each QR code of a campaign',
  usage: 'npx linsheng qr-list --campaign <id>',
  options: [{ name: 'campaign', value: '<id>', zh: '征求意见活动的编号（npx linsheng campaigns 可列出）', en: 'campaign id (see npx linsheng campaigns)' }],
  positional: { min: 0, max: 0 },
  notes: ['网址以 BASE_URL 开头。 URLs start with BASE_URL.'],
  async run(args, io) {
    const raw = args.values.campaign;
    if (raw === undefined) {
      throw new UsageError('请用 --campaign <编号> 指定征求意见活动。 Missing --campaign <id>.');
    }
    const id = parseId('campaign', raw);
    const { config, engine: { queries }, close } = await openCliDatabase(io);
    try {
      if (!(await createCampaignRepo(queries).findById(id))) throw new CliError(campaignNotFoundMessage(id), 2);
      for (const code of await createQrRepo(queries).listByCampaign(id)) {
        // A tab or newline inside a label would break the two-column format.
        io.out(`${qrUrl(config.baseUrl, code.token)}\t${code.label.replace(/[\t\r\n]+/g, ' ')}`);
      }
      return 0;
    } finally {
      await close();
    }
  },
};
