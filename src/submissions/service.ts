import type { SubmissionRepo } from './repo';
import type { NewSubmission, Submission } from './types';

/**
 * The one way a submission enters the system — resident form, grid worker entry, import, offline sync —
 * so every channel gets the same rules (idempotency, auto-categorization, triage).
 */
export function createSubmissionService(deps: { repo: SubmissionRepo }) {
  return {
    record(input: NewSubmission): { submission: Submission; created: boolean } {
      return deps.repo.insert(input);
    },
  };
}
export type SubmissionService = ReturnType<typeof createSubmissionService>;
