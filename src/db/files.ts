import fs from 'node:fs';
import path from 'node:path';

/**
 * The data directory and the files in it hold residents' names and phones, password hashes and the form secret:
 * only the service's own user may read them. Directories are 0700, files 0600 (the database, its -wal and -shm,
 * photos, backups). Processes set umask 077 at start (server.ts, bin/linsheng.js); these functions tighten what
 * already exists or was made by a process that did not.
 */
export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

const ours = (st: fs.Stats) => typeof process.getuid !== 'function' || st.uid === process.getuid();

/**
 * Creates `dir` (0700) or tightens it when it exists, belongs to this user and others may read it. Returns a
 * warning for the log when it changed or could not change a mode.
 */
export function secureDataDir(dir: string): string | undefined {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const st = fs.statSync(dir);
  if ((st.mode & 0o077) === 0) return undefined;
  const was = (st.mode & 0o777).toString(8);
  if (!ours(st)) {
    return `数据目录 ${dir} 的权限是 ${was}，其他用户可能读到居民信息；它不属于运行本服务的用户，请由其所有者改为 700（chmod 700 ${dir}）。 `
      + `The data directory ${dir} has mode ${was} and belongs to another user: have its owner run chmod 700 ${dir}.`;
  }
  fs.chmodSync(dir, DIR_MODE);
  return `数据目录 ${dir} 的权限原为 ${was}，已改为 700（只有本服务的用户能读写）。 Data directory ${dir} had mode ${was}; changed to 700.`;
}

/** chmod 600 when the file exists, is ours and is readable by others; never throws (a mode is not worth a crash). */
export function restrictFile(file: string): void {
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0 && ours(st)) fs.chmodSync(file, FILE_MODE);
  } catch {
    // missing, or on a file system without modes
  }
}

/** The database and its companions. SQLite gives new -wal/-shm files the database file's mode. */
export function restrictDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) restrictFile(file + suffix);
}

/** Makes `dir` (0700) if needed. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
}

/** fsyncs a directory so a rename or new file in it survives a power cut; some file systems cannot, which is fine. */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

// ---- the running server's pid file ----

export const pidFile = (dataDir: string) => path.join(dataDir, 'linsheng.pid');

/** Written by the server once its database is open; restore and migrate refuse while it names a live process. */
export function writePidFile(dataDir: string): void {
  fs.writeFileSync(pidFile(dataDir), `${process.pid}\n`, { mode: FILE_MODE });
}

/** Removes the pid file if it is this process's (a second server on the same directory must not remove the first's). */
export function removePidFile(dataDir: string): void {
  try {
    if (fs.readFileSync(pidFile(dataDir), 'utf8').trim() === String(process.pid)) fs.rmSync(pidFile(dataDir));
  } catch {
    // already gone
  }
}

/** The pid of a server that is running on `dataDir`, if any. A pid file left by a crash (kill -9) names no live node. */
export function runningServerPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile(dataDir), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined; // no such process
  }
  // The pid may have been reused by something else since a crash: on Linux, check that it is node.
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/node/i.test(cmdline)) return undefined;
  } catch {
    // no /proc: trust the live pid
  }
  return pid;
}
