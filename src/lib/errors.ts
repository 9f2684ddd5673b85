/**
 * An error's message and stack, read by shape rather than `instanceof Error`: errors made by a native addon
 * (better-sqlite3's SqliteError) can come from another realm (a jest module registry, a vm context), where
 * `instanceof Error` is false although they are errors.
 */
export function errorMessage(err: unknown): string {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : String(err);
}

export function errorStack(err: unknown): string | undefined {
  const s = (err as { stack?: unknown } | null)?.stack;
  return typeof s === 'string' ? s : undefined;
}
