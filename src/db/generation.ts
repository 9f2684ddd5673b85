/**
 * A per-database counter that the repos of campaigns, QR codes and categories bump on every write, so a
 * process-local cache of what those tables say (the resident form's hot path) can tell it went stale.
 */
const generations = new WeakMap<object, number>();

export const generationOf = (db: object): number => generations.get(db) ?? 0;

export function bumpGeneration(db: object): void {
  generations.set(db, generationOf(db) + 1);
}
