import type { Queries } from '../db/engine';
import { randomToken } from '../lib/random';
import { createSettingsRepo } from './repo';

/** The secret public form tokens are signed with: made once, then the same for every app server of the database. */
export const formSecret = (on: Queries): Promise<string> => createSettingsRepo(on).getOrCreate('form_secret', () => randomToken(32));
