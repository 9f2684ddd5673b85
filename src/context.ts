import type { Config } from './config';
import type { Db } from './db/open-db';
import { sqliteEngine } from './db/engine';
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
import { createLegacyPlaceLookup, createPlaceRepo } from './places/repo';
import { createPlaceService } from './places/service';
import { createQrRepo } from './qr/repo';
import { createScanCounter } from './qr/scan-counter';
import { createQrService } from './qr/service';
import { createQrSvgCache } from './qr/svg';
import { createSettingsRepo } from './settings/repo';
import { createSubmissionRepo } from './submissions/repo';
import { createResidentService } from './resident/service';
import { createSubmissionService } from './submissions/service';
import { walSyncer } from './db/busy';
import { createSearchRepo } from './search/repo';
import { createRateCountRepo } from './db/rate-counts';
import { createSharedCounts } from './http/shared-counts';
import { createSearchService } from './search/service';
import { createLogger, type Logger } from './lib/logger';
import { tryWrite, writeWhenFree } from './db/busy';
import { createNightlyBackups } from './backup/service';
import { createAppealRepo } from './appeals/repo';
import { createAppealService } from './appeals/service';
import { createBoardRepo } from './board/repo';
import { createBoardService } from './board/service';

/**
 * The composition root: every repo and service of the app, built once from the settings and the database.
 * Routers (src/app.ts), the CLI and the demo take what they need from here; nothing else builds a repo.
 */
export function createContext(config: Readonly<Config>, db: Db, logger: Logger = createLogger({ level: config.logLevel, pretty: config.logPretty })) {
  /** An error with its stack, for the operator (src/lib/logger.ts says what may go into a log). */
  const log = (err: unknown) => logger.error({ err }, 'error');

  // ---- the data layer ----
  // The asynchronous seam that both engines speak (src/db/engine.ts). Repos move onto it one domain at a time; those
  // not yet moved still run synchronously on `db`, the same SQLite connection.
  // Durable commits on the residents' path and the import's wait for the disk off the event loop (src/db/busy.ts).
  const syncWal = walSyncer(db);
  const engine = sqliteEngine(db, { syncWal });
  const users = createUserRepo(engine.queries);
  const sessions = createSessionRepo(engine.queries);
  const settings = createSettingsRepo(db);
  const places = createPlaceRepo(engine.queries);
  // Synchronous place reads for the code not moved yet: the residents' path, the menu's and the intake's transactions.
  const placeLookup = createLegacyPlaceLookup(db);
  const categories = createCategoryRepo(engine.queries);
  const campaigns = createCampaignRepo(db);
  const qrCodes = createQrRepo(db);
  const submissions = createSubmissionRepo(db);
  const issues = createIssueRepo(db);
  const items = createServiceItemRepo(db);
  const audit = createAuditRepo(db);
  const exports = createExportRepo(db);
  const dashboardRepo = createDashboardRepo(db);

  // ---- rules and services ----
  const access = createAccess({ places, users });
  const scanCounter = createScanCounter(qrCodes, 2000, (err) => logger.error({ err }, 'scan counter flush failed'), (fn) => tryWrite(db, fn));
  const classify = createClassifyService({ repo: createClassifyRepo(db), log: (err) => logger.error({ err }, 'categorization failed') });
  const submissionService = createSubmissionService({ repo: submissions, classify, db, syncWal });
  const menuService = createMenuService({ db, issues, items, audit, places: placeLookup });
  const issueService = createIssueService({ db, issues, audit, menu: menuService });
  const outcomes = createOutcomeService({ db, issues, submissions, audit });
  const grouping = createGrouping();
  const boardService = createBoardService({ repo: createBoardRepo(db), places, grouping });
  const appealService = createAppealService({
    db, appeals: createAppealRepo(db), submissions, issues, outcomes, audit, loadIssue: issueService.loadIssue,
  });
  const campaignService = createCampaignService({ campaigns, places, categories, pendingScans: scanCounter.pendingFor });
  /** Secret for signing public form tokens: from the environment, else generated once and kept. */
  const secret = config.secret ?? settings.getOrCreate('form_secret', () => randomToken(32));
  // Built here so /readyz can report them; started by server.ts only.
  const backups = config.backupDir ? createNightlyBackups({ db, dir: config.backupDir, keep: config.backupKeep, hour: config.backupHour, logger }) : undefined;

  // Rate-limit counts, shared with the other app servers of this database.
  const rateCounts = createSharedCounts({
    repo: createRateCountRepo(db), write: (fn) => tryWrite(db, fn, { unsynced: true }), open: () => db.open,
    onError: (err) => logger.error({ err }, 'sharing rate-limit counts failed'),
  });
  const intakeService = createIntakeService({ db, placeLookup, campaigns, submissions, submissionService, repo: createIntakeRepo(db), syncWal });
  /** Aborted first on SIGTERM: long work (an import commit) stops at its next safe point. */
  const shutdown = new AbortController();

  return {
    config,
    db,
    engine,
    shutdown,
    logger,
    log,
    secret,
    backups,
    syncWal,
    rateCounts,
    access,
    // repos
    users, sessions, settings, places, placeLookup, categories, campaigns, qrCodes, submissions, issues, items, audit, exports, dashboardRepo,
    // services
    scanCounter,
    classify,
    submissionService,
    issueService,
    grouping,
    triageService: createTriageService({ db, issues, issueService, audit, grouping }),
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
    searchService: createSearchService({ repo: createSearchRepo(db), campaigns: campaignService }),
    qrService: createQrService({ qrCodes, campaigns, places, scanCounter, svgCache: createQrSvgCache(), config }),
    intakeService,
    dashboardService: createDashboardService({ repo: dashboardRepo, places, pendingScans: scanCounter.pendingFor }),
    residentService: createResidentService({
      db, config, secret, qrCodes, campaigns, places: placeLookup, submissions, submissionService, outcomes, scanCounter,
    }),
    /** Run on SIGTERM before the database closes (e.g. flush buffered counters). */
    onShutdown: [
      () => shutdown.abort(), () => scanCounter.stop(), () => rateCounts.stop(), () => backups?.stop(), () => { void grouping.stop(); }, () => { void intakeService.stop(); },
    ] as Array<() => void>,
  };
}
export type AppContext = ReturnType<typeof createContext>;
