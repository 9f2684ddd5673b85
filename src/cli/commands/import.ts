import type { Command } from '../main';

export const importCommand: Command = {
  summary: 'Import a spreadsheet (.xlsx/.csv) of offline submissions',
  usage: 'npx linsheng import <file> --campaign <id>',
  async run(_args, io) {
    io.err('not implemented yet');
    return 1;
  },
};
