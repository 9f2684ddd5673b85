import fs from 'node:fs';
import { errorMessage } from '../lib/errors';

/**
 * A database that cannot be used as it is (damaged, empty, locked, unreadable), with a message for the operator
 * that names the file and says what to do. The server prints it and exits 1 (no stack trace); the CLI prints it.
 */
export class DatabaseProblem extends Error {
  override readonly name = 'DatabaseProblem';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const RESTORE_HINT_ZH = '请从备份恢复：停止服务后运行 npx linsheng restore <备份文件>（见 README「备份与恢复」）';
const RESTORE_HINT_EN = 'restore a backup: stop the service, then run npx linsheng restore <backup-file> (README, "Backup and restore")';

export const DATABASE_MESSAGES = {
  empty: (file: string) => `数据库文件 ${file} 是空的（0 字节），可能是一次没有完成的复制或恢复。为了不把它当成全新安装而丢掉数据，服务不会启动。`
    + `${RESTORE_HINT_ZH}；如果确实要从零开始一套新系统，请先删除这个空文件。 `
    + `The database file ${file} is empty (0 bytes), perhaps an unfinished copy or restore. It is not treated as a new install: `
    + `${RESTORE_HINT_EN}; to really start a new, empty system, delete the empty file first.`,
  notADatabase: (file: string) => `${file} 不是数据库文件（可能被别的文件覆盖或已损坏），请检查 DATA_DIR，或从备份恢复（见 README「备份」）。 `
    + `${file} is not a database file (overwritten or damaged?): check DATA_DIR or restore a backup.`,
  truncated: (file: string, size: number, expected: number) => `数据库文件 ${file} 不完整：文件只有 ${size} 字节，而它的文件头说应有 ${expected} 字节`
    + `（可能复制到一半、磁盘出错或被截断）。${RESTORE_HINT_ZH}。 `
    + `The database file ${file} is truncated: ${size} bytes where its header says ${expected}. ${RESTORE_HINT_EN}.`,
  damaged: (file: string, detail: string) => `数据库 ${file} 已损坏，请从备份恢复（见 README「备份」）。 The database ${file} is damaged: restore a backup. (${detail})`,
  locked: (file: string) => `数据库 ${file} 正被另一个进程锁住（可能是另一个邻声服务器、命令行命令，或打开着它的 sqlite3 等工具），请停止那个进程后再试`
    + `（查看是谁：fuser -v ${file}）。 The database ${file} is locked by another process (another Linsheng server or command, or a tool `
    + `such as sqlite3 holding it open): stop that process and try again (to see which: fuser -v ${file}).`,
  cannotOpen: (file: string, detail: string) => `无法打开数据库 ${file}：请检查这个文件和所在目录是否存在、能否读写。 `
    + `Cannot open the database ${file}: check that it and its directory exist and are readable and writable. (${detail})`,
  notAFile: (file: string) => `${file} 不是文件（是目录或其他东西），不能当数据库用。 ${file} is not a regular file, so it cannot be the database.`,
  other: (file: string, detail: string) => `无法打开数据库 ${file}。 Cannot open the database ${file}: ${detail}`,
};

/** The operator's sentence for an error SQLite or the file system gave while opening `file`. */
export function describeOpenError(file: string, err: unknown): string {
  if (err instanceof DatabaseProblem) return err.message;
  const code = (err as { code?: string }).code ?? '';
  const detail = errorMessage(err);
  if (code === 'SQLITE_NOTADB') return DATABASE_MESSAGES.notADatabase(file);
  if (code.startsWith('SQLITE_CORRUPT')) return DATABASE_MESSAGES.damaged(file, detail);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return DATABASE_MESSAGES.locked(file);
  if (code === 'EACCES' || code === 'EPERM' || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')
    || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_IOERR')) {
    return DATABASE_MESSAGES.cannotOpen(file, detail);
  }
  return DATABASE_MESSAGES.other(file, detail);
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Looks at the file before SQLite does, for what SQLite would not refuse at once: an empty file (SQLite would
 * make it a new database, and the server would start as a new install with a fresh admin) and a truncated one
 * (SQLite fails only when a query reaches the missing pages, perhaps days later). Returns whether the file exists.
 */
export function inspectDatabaseFile(file: string): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new DatabaseProblem(describeOpenError(file, err), (err as NodeJS.ErrnoException).code ?? 'EIO');
  }
  if (!st.isFile()) throw new DatabaseProblem(DATABASE_MESSAGES.notAFile(file), 'ENOTFILE');
  if (st.size === 0) throw new DatabaseProblem(DATABASE_MESSAGES.empty(file), 'EMPTY');
  const header = Buffer.alloc(100);
  let read = 0;
  try {
    const fd = fs.openSync(file, 'r');
    try { read = fs.readSync(fd, header, 0, 100, 0); } finally { fs.closeSync(fd); }
  } catch (err) {
    throw new DatabaseProblem(describeOpenError(file, err), (err as NodeJS.ErrnoException).code ?? 'EIO');
  }
  if (read < 100 || !header.subarray(0, 16).equals(MAGIC)) throw new DatabaseProblem(DATABASE_MESSAGES.notADatabase(file), 'SQLITE_NOTADB');
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new DatabaseProblem(DATABASE_MESSAGES.notADatabase(file), 'SQLITE_NOTADB');
  // With a write-ahead log that still holds pages, the main file may legitimately lag behind its header (a
  // checkpoint cut short by a crash writes page 1 first); SQLite finishes it from the log, so only judge a
  // file without one. The header's page count counts only when the two change counters agree (SQLite's rule).
  if (walHoldsPages(file)) return true;
  const pages = header.readUInt32BE(28);
  const sizeValid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  const expected = pages * pageSize;
  if ((sizeValid && st.size < expected) || st.size % pageSize !== 0) {
    throw new DatabaseProblem(DATABASE_MESSAGES.truncated(file, st.size, sizeValid ? expected : Math.ceil(st.size / pageSize) * pageSize), 'SQLITE_CORRUPT');
  }
  return true;
}

function walHoldsPages(file: string): boolean {
  try {
    return fs.statSync(file + '-wal').size > 32;
  } catch {
    return false;
  }
}
