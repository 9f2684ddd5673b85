import type { Config } from './config';
import type { Db } from './db/open-db';
import { createSessionRepo, createUserRepo } from './auth/repo';
import { createAuthService } from './auth/service';
import { createPlaceRepo } from './places/repo';
import { createSettingsRepo } from './settings/repo';
import { createSubmissionRepo } from './submissions/repo';
import { createCampaignRepo } from './campaigns/repo';
import { createQrRepo } from './qr/repo';
import { createScanCounter } from './qr/scan-counter';
import { createSubmissionService } from './submissions/service';
import { createClassifyRepo } from './classify/repo';
import { createClassifyService } from './classify/service';
import { randomToken } from './http/random';
import { createLogger, type Logger } from './lib/logger';
import { createNightlyBackups } from './backup/service';

/** The app's dependencies, built once from config and database and handed to every domain's routes. */
export function createContext(config: Readonly<Config>, db: Db, logger: Logger = createLogger({ level: config.logLevel, pretty: config.logPretty })) {
  const users = createUserRepo(db);
  const sessions = createSessionRepo(db);
  const settings = createSettingsRepo(db);
  const submissions = createSubmissionRepo(db);
  const qrCodes = createQrRepo(db);
  const scanCounter = createScanCounter(qrCodes, 2000, (err) => logger.error({ err }, 'scan counter flush failed'));
  const classify = createClassifyService({ repo: createClassifyRepo(db), log: (err) => logger.error({ err }, 'categorization failed') });
  // Built here so /readyz can report them; started by server.ts only.
  const backups = config.backupDir ? createNightlyBackups({ db, dir: config.backupDir, keep: config.backupKeep, hour: config.backupHour, logger }) : undefined;
  return {
    config,
    db,
    users,
    sessions,
    settings,
    places: createPlaceRepo(db),
    submissions,
    classify,
    submissionService: createSubmissionService({ repo: submissions, classify, db }),
    campaigns: createCampaignRepo(db),
    qrCodes,
    scanCounter,
    auth: createAuthService({ users, sessions, config, log: (line) => logger.warn(line) }),
    /** Secret for signing public form tokens: from the environment, else generated once and kept. */
    secret: config.secret ?? settings.getOrCreate('form_secret', () => randomToken(32)),
    logger,
    /** An error with its stack, for the operator (src/lib/logger.ts says what may go into a log). */
    log: (err: unknown) => logger.error({ err }, 'error'),
    backups,
    /** Run on SIGTERM before the database closes (e.g. flush buffered counters). */
    onShutdown: [() => scanCounter.stop(), () => backups?.stop()] as Array<() => void>,
  };
}
export type AppContext = ReturnType<typeof createContext>;
