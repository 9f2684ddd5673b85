import type { Db } from '../../src/db/open-db';

type StatementProto = Record<'run' | 'get' | 'all', (...a: unknown[]) => unknown>;

/**
 * Every statement of `db` that writes (an INSERT … RETURNING read through get() as much as a plain run()) throws
 * `error` until the returned function is called. Statements that only read go through.
 */
export function failWrites(db: Db, error: unknown): () => void {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as StatementProto;
  const spies = (['run', 'get', 'all'] as const).map((method) => {
    const original = proto[method];
    return jest.spyOn(proto, method).mockImplementation(function (this: { database: Db; readonly: boolean }, ...args: unknown[]) {
      if (this.database === db && !this.readonly) throw error;
      return original.apply(this, args);
    });
  });
  return () => spies.forEach((s) => s.mockRestore());
}
