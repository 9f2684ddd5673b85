import { openDb } from '../../db/open-db';
import { createCampaignRepo } from '../../campaigns/repo';
import { createQrRepo } from '../../qr/repo';
import { qrUrl } from '../../qr/token';
import { existingDbFile, parseArgs, type Command } from '../main';

/** Lists a campaign's QR codes as `<url>\t<label>`, for print shops and spreadsheets. */
export const qrListCommand: Command = {
  summary: 'Print <url><TAB><label> for each QR code of a campaign',
  usage: 'npx linsheng qr-list --campaign <id>',
  async run(args, io) {
    const { flags } = parseArgs(args);
    const raw = flags.campaign;
    if (!raw || !/^\d+$/.test(raw) || Number(raw) < 1) {
      io.err('请用 --campaign <编号> 指定征求意见活动。 Missing or invalid --campaign <id>.');
      io.err('用法 Usage: ' + this.usage);
      return 2;
    }
    const found = existingDbFile(io);
    if (!found) return 2;
    const { config, file } = found;
    const db = openDb({ file, synchronous: config.synchronous });
    try {
      const id = Number(raw);
      if (!createCampaignRepo(db).findById(id)) {
        io.err(`找不到编号为 ${id} 的征求意见活动。 Unknown campaign: ${id}.`);
        return 2;
      }
      for (const code of createQrRepo(db).listByCampaign(id)) {
        // A tab or newline inside a label would break the two-column format.
        io.out(`${qrUrl(config.baseUrl, code.token)}\t${code.label.replace(/[\t\r\n]+/g, ' ')}`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
