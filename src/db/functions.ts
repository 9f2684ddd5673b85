import type { Db } from './open-db';
import { searchTokens } from './search-tokens';

/**
 * SQL functions the schema depends on: the search index's triggers (migration 051) call ls_search_tokens on
 * every write of a suggestion or issue, and the migration itself fills the index with it. Registered on every
 * connection that opens or migrates the database.
 */
export function registerSqlFunctions(db: Db): void {
  db.function('ls_search_tokens', { deterministic: true }, (text: unknown) => searchTokens(typeof text === 'string' ? text : null));
}
