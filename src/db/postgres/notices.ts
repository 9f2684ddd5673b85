/**
 * What the operator is told when DATABASE_URL names PostgreSQL: which commands work there, and how to back up and
 * restore (PostgreSQL's own tools: a SQLite file copy means nothing there).
 */

/** Every command but `migrate`, `backup` and `restore`, while their move to both engines is under way. */
export const NOT_ON_POSTGRES_YET = 'DATABASE_URL 已设置（PostgreSQL）。这一版的服务器可以在 PostgreSQL 上运行（npm start），'
  + '数据库结构用 npx linsheng migrate 建立和升级，但这个命令还不能在 PostgreSQL 上运行：请在网页上操作，或去掉 DATABASE_URL 对内置的 SQLite 数据库（DATA_DIR）使用它。 '
  + 'DATABASE_URL is set (PostgreSQL). This version\'s server runs on PostgreSQL (npm start) and npx linsheng migrate creates and '
  + 'upgrades its schema there, but this command does not run on PostgreSQL yet: use the web pages, or unset DATABASE_URL to use it '
  + 'on the embedded SQLite database in DATA_DIR.';

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
