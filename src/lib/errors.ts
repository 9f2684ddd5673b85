/**
 * Errors the domain raises, in the user's words, without knowing who asked: a web request, the CLI or a test.
 * Only the HTTP edge (src/http/error-handler.ts) turns them into status codes; the CLI prints the message.
 */
export type DomainErrorKind = 'not_found' | 'not_allowed' | 'invalid' | 'conflict';

export class DomainError extends Error {
  constructor(readonly kind: DomainErrorKind, message: string) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Missing, or outside the user's reach: the two answer alike, so ids cannot be probed. */
export class NotFoundError extends DomainError {
  constructor(message: string) { super('not_found', message); this.name = 'NotFoundError'; }
}
/** The user may see it but not do this. */
export class NotAllowedError extends DomainError {
  constructor(message: string) { super('not_allowed', message); this.name = 'NotAllowedError'; }
}
/** The input cannot be used as given. */
export class InvalidError extends DomainError {
  constructor(message: string) { super('invalid', message); this.name = 'InvalidError'; }
}
/** The input is fine, but the record's state does not allow it now. */
export class ConflictError extends DomainError {
  constructor(message: string) { super('conflict', message); this.name = 'ConflictError'; }
}

export const notFound = (what = '页面') => new NotFoundError(`找不到这个${what}。请检查链接是否完整，或返回首页。`);
export const forbidden = (message = '您没有权限查看或修改这项内容。如需权限，请联系街道管理员。') => new NotAllowedError(message);
export const invalid = (message: string) => new InvalidError(message);
export const conflict = (message: string) => new ConflictError(message);

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
