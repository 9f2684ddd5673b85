/**
 * An error that belongs to HTTP itself (401 not logged in, 413 too large, 429 too many requests): status plus a
 * Chinese message saying what to do. The domain's own errors are in src/lib/errors.ts.
 */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly detail?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
