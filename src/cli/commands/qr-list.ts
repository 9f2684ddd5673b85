import type { Command } from '../main';

export const qrListCommand: Command = {
  summary: 'Print <url><TAB><label> for each QR code of a campaign',
  usage: 'npx linsheng qr-list --campaign <id>',
  async run(_args, io) {
    io.err('not implemented yet');
    return 1;
  },
};
