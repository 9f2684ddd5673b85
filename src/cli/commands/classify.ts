import type { Command } from '../main';

export const classifyCommand: Command = {
  summary: 'Reads one text per line, prints <category><TAB><text>',
  usage: 'npx linsheng classify < texts.txt',
  async run(_args, io) {
    io.err('not implemented yet');
    return 1;
  },
};
