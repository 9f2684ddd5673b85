import type { Command } from '../main';

export const createUserCommand: Command = {
  summary: 'Create a user account',
  usage: 'npx linsheng create-user --username NAME --role admin|staff|grid_worker|claimer [--password P]',
  async run(_args, io) {
    io.err('not implemented yet');
    return 1;
  },
};
