import { sql } from 'kysely';
import { run, type Queries } from '../db/engine';

/** The little SQL only the demo needs: spreading its generated submissions over the campaign period. */
export function createDemoRepo(on: Queries) {
  return {
    /** Sets when a generated submission arrived (ISO UTC); the dashboard's counting triggers follow. */
    backdate: async (submissionId: number, createdAt: string): Promise<void> => {
      await run(on, sql`UPDATE submissions SET created_at = ${createdAt} WHERE id = ${submissionId}`);
    },
  };
}
