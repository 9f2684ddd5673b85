import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import v8 from 'node:v8';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createApp } from './app';
import { loadConfig } from './config';
import { startCheckpointer } from './db/checkpointer';
import { dbFile, openDb, type Db } from './db/open-db';
import { createPgPool } from './db/postgres/pool';
import { migratePostgres } from './db/postgres/migrate';
import { postgresUnreachable } from './db/postgres/notices';
import { postgresDatabase, sqliteDatabase, type AppDatabase } from './db/database';
import { formSecret } from './settings/service';
import { DatabaseProblem } from './db/problems';
import { MigrationError } from './db/migrate';
import { removePidFile, secureDataDir, writePidFile } from './db/files';
import { answerClientErrors } from './http/client-errors';
import { createLogger, type Logger } from './lib/logger';
import { APP_VERSION } from './lib/version';
import { errorMessage, errorStack } from './lib/errors';
import { loadExcelJs } from './lib/exceljs';
import { removeAbandonedUploads } from './submissions/photo-multipart';

/** How long SIGTERM waits for requests in flight before closing anyway (deploy/linsheng.service waits longer). */
export const SHUTDOWN_DEADLINE_MS = 10_000;
/** After SIGTERM, a keep-alive connection with no request in flight is closed after this long (or when it sends one, after the answer). */
export const IDLE_GRACE_MS = 1000;

/** See the README (部署 Deploying): how long a client may take to send its headers, and a whole request. */
export const HEADERS_TIMEOUT_MS = 20_000;
export const REQUEST_TIMEOUT_MS = 120_000;

/** exceljs is loaded this long after listening (see above). */
const EXCELJS_WARM_UP_DELAY_MS = 3000;

/** The categorization model waits this long after listening, so it does not compete with the first probes. */
const WARM_UP_DELAY_MS = 1000;

/**
 * V8 collects young objects with helper threads and the event loop waits until every helper is done. On two cores
 * shared with staff work (an import from the command line, password hashes, export and planning threads) a helper
 * is often not scheduled for tens of milliseconds, and the loop waits with it: collections of 40-100 ms where the
 * work itself takes under 20 (the mixed benchmark, GC traced). Done on this thread alone, a collection costs what
 * it costs. V8 reads this flag at each collection, so setting it at start-up takes effect (checked: the helper
 * threads' CPU time drops as with `node --no-parallel-scavenge`).
 */
function collectYoungObjectsOnThisThread(): void {
  v8.setFlagsFromString('--no-parallel-scavenge');
}

/** A start-up failure the operator can act on: its message says what and what to do, and no stack is printed. */
export class StartupError extends Error {}

/**
 * Opens the database and starts the app on the configured port. SIGTERM finishes in-flight requests, then closes
 * the database. What makes start-up slow is kept off this path (measured with --cpu-prof, see the README's
 * Deploying section): exceljs loads on first import or export, the categorization model trains in slices after
 * listening, the unknown-user password hash is made on the first login.
 */
export async function start(): Promise<Server> {
  collectYoungObjectsOnThisThread();
  // Files this process creates (database, -wal/-shm, photos, backups) are readable by its own user only.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  let warning: string | undefined;
  try {
    warning = secureDataDir(config.dataDir);
  } catch (err) {
    throw new StartupError(`无法创建或使用数据目录 DATA_DIR（${config.dataDir}）：${(err as Error).message}。请检查路径和权限。 `
      + `Cannot create or use DATA_DIR (${config.dataDir}): check the path and permissions.`);
  }
  if (warning) logger.warn(warning);

  // SQLite embedded in DATA_DIR, or PostgreSQL when DATABASE_URL names it (upgraded first, under an advisory lock, so
  // that two app servers starting together upgrade it once).
  let db: Db | undefined;
  let database: AppDatabase;
  if (config.databaseUrl) {
    database = await openPostgres(config.databaseUrl, logger);
  } else {
    try {
      db = openDb({
        file: dbFile(config.dataDir), synchronous: config.synchronous,
        onUpgrade: (u) => logger.info({ applied: u.applied, fromVersion: u.fromVersion, backup: u.backup ?? null }, 'database upgraded'),
      });
    } catch (err) {
      if (err instanceof DatabaseProblem || err instanceof MigrationError) throw new StartupError(err.message);
      throw err;
    }
    database = sqliteDatabase(db);
  }
  writePidFile(config.dataDir);
  // Uploads a previous process was receiving when it stopped (src/submissions/photo-multipart.ts).
  removeAbandonedUploads(config.uploadsDir);
  // The form secret every app server of this database signs with (kept in the database unless LINSHENG_SECRET says).
  const secret = config.secret ?? await formSecret(database.engine.queries);
  const app = createApp({ config: { ...config, secret }, db: database, logger });
  // libuv starts its thread pool on first use, and new threads take the priority of the thread that starts them:
  // started here, from the main thread, before any worker thread lowers its own (src/lib/worker.ts).
  await fs.promises.access(config.dataDir);
  const checkpointer = db ? startCheckpointer(db) : undefined;
  const { ctx } = app;
  const admin = await ctx.auth.ensureAdmin();

  const server = app.listen(config.port, config.host, () => {
    const port = (server.address() as AddressInfo).port;
    logger.info({ port, dataDir: config.dataDir, version: APP_VERSION }, `邻声 Linsheng listening on port ${port}`);
    // With PORT=0 (tests) the real port is only known now.
    const loginBase = config.port === 0 ? `http://localhost:${port}` : config.baseUrl;
    logger.info(`登录 Log in: ${loginBase}/login`);
    if (admin.created && admin.generatedPassword) {
      // Shown once, to whoever watches the first start, and deliberately not through the logger: a password has
      // no place in a log collector. Under systemd stdout still reaches the journal, hence: change it at once.
      process.stdout.write(`首次启动，已创建管理员 First start, admin created — username: ${admin.username}  password: ${admin.generatedPassword}\n`
        + '请登录后立即修改密码。This password is shown only once.\n');
    } else if (admin.created) {
      logger.info('首次启动，已创建管理员 admin (password from LINSHENG_ADMIN_PASSWORD).');
    }
    // Off the start-up path: the model trains a second later, in slices between requests (a submission before then
    // trains it at once); backups run by the clock.
    setTimeout(() => {
      ctx.classify.warmUp().catch((err: unknown) => logger.error({ err }, 'categorization model warm-up failed'));
    }, WARM_UP_DELAY_MS).unref();
    // exceljs takes ~0.35-1 s to require: loaded once here, a few seconds after start, rather than in the middle of
    // the first export or import, when it would hold up every resident at once.
    setTimeout(() => { loadExcelJs(); }, EXCELJS_WARM_UP_DELAY_MS).unref();
    ctx.backups?.start();
  });
  server.keepAliveTimeout = 5000;
  // Hostile or broken clients are bounded: the request line and headers must arrive within HEADERS_TIMEOUT_MS, and
  // a whole request (an 8 MB photo on a slow phone included) within REQUEST_TIMEOUT_MS; then Node answers 408.
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  answerClientErrors(server);

  let closing = false;
  const closeDb = () => {
    removePidFile(config.dataDir);
    void checkpointer?.stop();
    if (db?.open) db.close();
    else if (!db) void database.close().catch(() => undefined);
  };
  // Once closing, every response says `Connection: close`, so a keep-alive client sends nothing more on it.
  // (Decided when the headers go out, not when the request came in: a request received before the signal and
  // answered after it closes its connection too.)
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
      if (closing) this.shouldKeepAlive = false;
      return writeHead.apply(this, args);
    } as ServerResponse['writeHead'];
  });
  /**
   * SIGTERM: stop listening at once, answer every request already received, then close the database and exit 0.
   * Node's server.close() would also destroy keep-alive connections that look idle, resetting a request that is
   * arriving on one at that moment; here they get IDLE_GRACE_MS to send it (it is answered, with Connection: close)
   * before the idle ones are closed. Long work stops at its next safe point (ctx.shutdown: an import commit finishes
   * its 100-row transaction and records where it stopped). Whatever is still running at SHUTDOWN_DEADLINE_MS is cut.
   */
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: no new connections; answering requests already received, then closing the database`);
    ctx.shutdown.abort();
    net.Server.prototype.close.call(server, () => {
      clearInterval(idleCloser);
      // The scan counter's last flush is a write on the engine: the database closes once it has gone through.
      ctx.stopAll().catch((err: unknown) => logger.error({ err }, 'stopping failed')).finally(() => {
        closeDb();
        logger.info('shut down: every request received was answered');
        process.exit(0);
      });
    });
    const idleCloser = setInterval(() => server.closeIdleConnections(), IDLE_GRACE_MS);
    setTimeout(() => {
      logger.warn('requests still in flight at the shutdown deadline; closing anyway');
      void ctx.stopAll().catch(() => undefined);
      closeDb();
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}

/** PostgreSQL: the schema upgraded (src/db/postgres/migrate.ts), then the database the app runs on. */
async function openPostgres(url: string, logger: Logger): Promise<AppDatabase> {
  const pool = createPgPool(url, { max: 1 });
  try {
    const applied = await migratePostgres(pool);
    if (applied.length) logger.info({ applied }, 'PostgreSQL database upgraded');
    return await postgresDatabase(url, { logger });
  } catch (err) {
    if (err instanceof MigrationError) throw new StartupError(err.message);
    throw new StartupError(postgresUnreachable(errorMessage(err)));
  } finally {
    await pool.end();
  }
}

/** `node dist/src/server.js`, `npm start`: start, or say why not and exit 1. */
export function main(): void {
  start().catch((err: unknown) => {
    if (err instanceof StartupError) {
      process.stderr.write(`邻声 Linsheng 没有启动 did not start:\n${err.message}\n`);
    } else {
      process.stderr.write(`邻声 Linsheng 没有启动 did not start (unexpected error):\n${errorStack(err) ?? String(err)}\n`);
    }
    process.exit(1);
  });
}

if (require.main === module) main();
