import type { Command } from '../main';

export const backupCommand: Command = {
  summary: 'Online backup of the database to a file (safe while the server runs)',
  usage: 'npx linsheng backup <file>',
  async run(_args, io) {
    io.err('not implemented yet');
    return 1;
  },
};
