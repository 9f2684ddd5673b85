import type { Db } from '../db/open-db';

/** The little SQL only the demo needs: spreading its generated submissions over the campaign period. */
export function createDemoRepo(db: Db) {
  const backdate = db.prepare('UPDATE submissions SET created_at = ? WHERE id = ?');
  return {
    /** Sets when a generated submission arrived (ISO UTC); the dashboard's counting triggers follow. */
    backdate: (submissionId: number, createdAt: string) => { backdate.run(createdAt, submissionId); },
  };
}
