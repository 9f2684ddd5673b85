import type { SubmissionRepo } from './repo';
import type { NewSubmission, Submission } from './types';

/** Auto-categorization (src/classify): fills category, confidence and needs_triage; never throws. */
export interface Categorizer { categorize(input: NewSubmission): NewSubmission }

/**
 * The one way a submission enters the system — resident form, grid worker entry, import, offline sync —
 * so every channel gets the same rules (idempotency, auto-categorization, triage).
 */
export function createSubmissionService(deps: { repo: SubmissionRepo; classify?: Categorizer }) {
  return {
    record(input: NewSubmission): { submission: Submission; created: boolean } {
      return deps.repo.insert(deps.classify ? deps.classify.categorize(input) : input);
    },
  };
}
export type SubmissionService = ReturnType<typeof createSubmissionService>;
