/**
 * What the operator is told when DATABASE_URL names PostgreSQL: how to back up and restore (PostgreSQL's own tools:
 * a SQLite file copy means nothing there), and that the database could not be reached.
 */

/** `npx linsheng backup` / `restore` on PostgreSQL: pg_dump and pg_restore, which keep a consistent snapshot online. */
export function usePgTools(command: 'backup' | 'restore'): string {
  return command === 'backup'
    ? '数据库在 PostgreSQL 上（DATABASE_URL），请用 PostgreSQL 自带的 pg_dump 在线备份，例如：\n'
      + '  pg_dump --format=custom --file=linsheng-$(date +%F).dump "$DATABASE_URL"\n'
      + 'pg_dump 备份时服务器可以照常运行。政务云的托管数据库一般另有自动备份，请同时确认其保留天数。\n'
      + 'The database is on PostgreSQL (DATABASE_URL): back it up with pg_dump, which takes a consistent snapshot while the '
      + 'servers keep running, e.g. pg_dump --format=custom --file=linsheng-$(date +%F).dump "$DATABASE_URL".'
    : '数据库在 PostgreSQL 上（DATABASE_URL），请先停止所有应用服务器，再用 pg_restore 恢复 pg_dump 的备份，例如：\n'
      + '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" linsheng-2026-12-01.dump\n'
      + 'The database is on PostgreSQL (DATABASE_URL): stop every app server, then restore a pg_dump backup with pg_restore, '
      + 'e.g. pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" linsheng-2026-12-01.dump.';
}

/** The server or `migrate` could not reach or read the database of DATABASE_URL (the URL, with its password, is not repeated). */
export function postgresUnreachable(reason: string): string {
  return `连接或读取 PostgreSQL 数据库失败（DATABASE_URL）：${reason}。请检查地址、用户名、密码和网络。 `
    + `Could not reach or read the PostgreSQL database of DATABASE_URL: ${reason}.`;
}
