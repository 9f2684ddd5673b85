import type { Config } from './config';
import type { Db } from './db/open-db';
import { sqliteDatabase, type AppDatabase } from './db/database';
import { createAccess } from './access/service';
import { createAuditRepo } from './audit/repo';
import { createLoginFailureRepo, createSessionRepo, createUserRepo } from './auth/repo';
import { createLoginThrottle, databaseFailureStore } from './auth/login-throttle';
import { createAuthService } from './auth/service';
import { createUserAdminService } from './accounts/service';
import { createCampaignRepo } from './campaigns/repo';
import { createCampaignService } from './campaigns/service';
import { createCategoryRepo } from './categories/repo';
import { createCategoryService } from './categories/service';
import { createClassifyRepo } from './classify/repo';
import { createClassifyService } from './classify/service';
import { createDashboardRepo } from './dashboard/repo';
import { createDashboardService } from './dashboard/service';
import { createExportRepo } from './exports/repo';
import { randomToken } from './lib/random';
import { createIntakeRepo } from './intake/repo';
import { createIntakeService } from './intake/service';
import { createOutcomeService } from './issues/outcome';
import { createIssueRepo } from './issues/repo';
import { createIssueService } from './issues/service';
import { createTriageService } from './issues/triage';
import { createGrouping } from './grouping/service';
import { createServiceItemRepo } from './menu/repo';
import { createMenuService } from './menu/service';
import { createPlaceRepo } from './places/repo';
import { createPlaceService } from './places/service';
import { createQrRepo } from './qr/repo';
import { createScanCounter } from './qr/scan-counter';
import { createQrService } from './qr/service';
import { createQrSvgCache } from './qr/svg';
import { createSubmissionRepo } from './submissions/repo';
import { createResidentService } from './resident/service';
import { createSubmissionService } from './submissions/service';
import { createSearchRepo } from './search/repo';
import { createSharedCounts } from './http/shared-counts';
import { createSearchService } from './search/service';
import { createLogger, type Logger } from './lib/logger';
import { createNightlyBackups } from './backup/service';
import { createAppealRepo } from './appeals/repo';
import { createAppealService } from './appeals/service';
import { createBoardRepo } from './board/repo';
import { createBoardService } from './board/service';

/**
 * The composition root: every repo and service of the app, built once from the settings and the database.
 * Routers (src/app.ts), the CLI and the demo take what they need from here; nothing else builds a repo.
 */
export function createContext(config: Readonly<Config>, on: Db | AppDatabase, logger: Logger = createLogger({ level: config.logLevel, pretty: config.logPretty })) {
  /** An error with its stack, for the operator (src/lib/logger.ts says what may go into a log). */
  const log = (err: unknown) => logger.error({ err }, 'error');

  // ---- the data layer ----
  // SQLite embedded (an open connection) or PostgreSQL (src/db/database.ts); every repo speaks the engine's seam.
  const database = 'engine' in on ? on : sqliteDatabase(on);
  const { engine } = database;
  /** SQLite's connection, for what only SQLite has (WAL syncs, file backups); null on PostgreSQL. */
  const db = database.sqlite?.db ?? null;
  const syncWal = database.sqlite?.syncWal ?? null;
  const users = createUserRepo(engine.queries);
  const sessions = createSessionRepo(engine.queries);
  const places = createPlaceRepo(engine.queries);
  const categories = createCategoryRepo(engine.queries);
  const campaigns = createCampaignRepo(engine.queries);
  const qrCodes = createQrRepo(engine.queries);
  const submissions = createSubmissionRepo(engine.queries);
  const issues = createIssueRepo(engine.queries);
  const items = createServiceItemRepo(engine.queries);
  const audit = createAuditRepo(engine.queries);
  const exports = createExportRepo(engine.queries);
  const dashboardRepo = createDashboardRepo(engine.queries);

  // ---- rules and services ----
  const access = createAccess({ places, users });
  const scanCounter = createScanCounter(engine, 2000, (err) => logger.error({ err }, 'scan counter flush failed'));
  const classify = createClassifyService({
    repo: createClassifyRepo(engine.queries), engine, generation: database.generation,
    log: (err) => logger.error({ err }, 'categorization failed'),
  });
  const submissionService = createSubmissionService({ engine, classify });
  const menuService = createMenuService({ engine, items, places });
  const issueService = createIssueService({ engine, issues, menu: menuService });
  const outcomes = createOutcomeService({ engine, issues, submissions });
  const grouping = createGrouping();
  const boardService = createBoardService({ repo: createBoardRepo(engine.queries), places, grouping });
  const appealService = createAppealService({
    engine, appeals: createAppealRepo(engine.queries), submissions, issues, outcomes, loadIssue: issueService.loadIssue,
  });
  const campaignService = createCampaignService({ engine, campaigns, places, categories, pendingScans: scanCounter.pendingFor });
  /**
   * Secret for signing public form tokens: from the environment, else the one kept in the database, which the server
   * reads before building the context (src/server.ts formSecret). Without either (tests, commands that serve no
   * form), one for this process.
   */
  const secret = config.secret ?? randomToken(32);
  // Built here so /readyz can report them; started by server.ts only.
  // File backups are SQLite's; on PostgreSQL the operator's pg_dump or the managed service's own does the job.
  const backups = config.backupDir && db ? createNightlyBackups({ db, dir: config.backupDir, keep: config.backupKeep, hour: config.backupHour, logger }) : undefined;

  // Rate-limit counts, shared with the other app servers of this database.
  const rateCounts = createSharedCounts({
    engine, open: () => database.isOpen(),
    onError: (err) => logger.error({ err }, 'sharing rate-limit counts failed'),
  });
  const intakeService = createIntakeService({ engine, places, campaigns, submissions, submissionService, repo: createIntakeRepo(engine.queries) });
  /** Aborted first on SIGTERM: long work (an import commit) stops at its next safe point. */
  const shutdown = new AbortController();
  const onShutdown: Array<() => void | Promise<void>> = [
    () => shutdown.abort(), () => scanCounter.stop(), () => rateCounts.stop(), () => backups?.stop(), () => { void grouping.stop(); }, () => { void intakeService.stop(); },
  ];

  return {
    config,
    db,
    database,
    engine,
    /** The shipped migrations this database has not applied, for /readyz. */
    pendingMigrations: () => database.pendingMigrations(),
    shutdown,
    logger,
    log,
    secret,
    backups,
    syncWal,
    rateCounts,
    access,
    // repos
    users, sessions, places, categories, campaigns, qrCodes, submissions, issues, items, audit, exports, dashboardRepo,
    // services
    scanCounter,
    classify,
    submissionService,
    issueService,
    grouping,
    triageService: createTriageService({ engine, issues, issueService, grouping }),
    menuService,
    outcomes,
    boardService,
    appealService,
    auth: createAuthService({
      engine, users, sessions, config, audit, log: (line) => logger.warn(line),
      // Wrong passwords are counted in the database, the same for every app server.
      throttle: createLoginThrottle({
        maxDelayMs: config.loginDelayMaxMs,
        store: databaseFailureStore(createLoginFailureRepo(engine.queries)),
      }),
    }),
    userAdmin: createUserAdminService({ engine, users, places, audit }),
    placeService: createPlaceService({ engine, places }),
    categoryService: createCategoryService({ engine, categories }),
    campaignService,
    searchService: createSearchService({ repo: createSearchRepo(engine.queries), campaigns: campaignService }),
    qrService: createQrService({ engine, qrCodes, campaigns, places, scanCounter, svgCache: createQrSvgCache(), config }),
    intakeService,
    dashboardService: createDashboardService({ repo: dashboardRepo, places, pendingScans: scanCounter.pendingFor }),
    residentService: createResidentService({
      config, secret, qrCodes, campaigns, places, generation: database.generation, submissions, submissionService, outcomes, scanCounter,
    }),
    /** Run on SIGTERM before the database closes (e.g. flush buffered counters): see stopAll. */
    onShutdown,
    /**
     * Runs every onShutdown hook and resolves once all have: the scan counter's last write goes through the engine,
     * so the database may close only then.
     */
    stopAll: async (): Promise<void> => { await Promise.all(onShutdown.map(async (fn) => fn())); },
  };
}
export type AppContext = ReturnType<typeof createContext>;
