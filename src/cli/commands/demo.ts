import type { Command } from '../main';

export const demoCommand: Command = {
  summary: 'Load the demo case (二七区 建中街街道) into the database at DATA_DIR',
  usage: 'npx linsheng demo',
  async run(_args, io) {
    io.err('not implemented yet');
    return 1;
  },
};
