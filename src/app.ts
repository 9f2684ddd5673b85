import './access/request-context';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Config } from './config';
import type { Db } from './db/open-db';
import type { AppDatabase } from './db/database';
import { createContext, type AppContext } from './context';
import { PUBLIC_DIR, VIEWS_DIR } from './paths';
import { csrfProtection } from './auth/middleware';
import { loadSession } from './access/middleware';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { flashMessages } from './http/flash';
import { requestLog, routeOf } from './http/request-log';
import type { Logger } from './lib/logger';
import { constantSecurityHeaders, securityHeaders } from './http/security';
import { maskPagesForMaskedReaders, viewHelpers } from './http/view-helpers';
import { bigTextLocals } from './http/big-text';
import { authRoutes } from './auth/routes';
import { accountRoutes } from './accounts/routes';
import { homeRoutes } from './home/routes';
import { healthRoutes } from './health/routes';
import { placeRoutes } from './places/routes';
import { categoryRoutes } from './categories/routes';
import { campaignRoutes } from './campaigns/routes';
import { qrRoutes } from './qr/routes';
import { residentRoutes } from './resident/routes';
import { submissionRoutes } from './submissions/routes';
import { intakeRoutes } from './intake/routes';
import { issueRoutes } from './issues/routes';
import { isTriageForm, triageFormBody, triageRoutes } from './issues/triage-routes';
import { menuRoutes } from './menu/routes';
import { dashboardRoutes } from './dashboard/routes';
import { exportRoutes } from './exports/routes';
import { classifyRoutes } from './classify/routes';
import { searchRoutes } from './search/routes';
import { boardRoutes } from './board/routes';
import { appealRoutes } from './appeals/routes';

/** `db`: an open SQLite connection, or the database the server opened (src/db/database.ts, PostgreSQL among them). */
export interface CreateAppOptions { config: Readonly<Config>; db: Db | AppDatabase; ctx?: AppContext; logger?: Logger }

/** Builds the Express app without listening, so tests drive it with supertest. */
export function createApp({ config, db, logger, ctx = createContext(config, db, logger) }: CreateAppOptions) {
  const app = express();
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  // Includes are written from the views root ('/partials/head'): EJS then resolves them without a file-system
  // check on every render, which relative includes cost (measured: ~9% of the resident form's CPU).
  app.set('view options', { root: VIEWS_DIR });
  app.set('x-powered-by', false);
  app.set('query parser', 'simple');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  app.use(requestLog(ctx.logger));
  const headers = constantSecurityHeaders();
  app.use(securityHeaders(headers));
  // The resident form (/q/…) first: it has no session and checks its own signed form token instead of the session's
  // CSRF token, so it skips everything below that staff pages need. It is the busiest path of a campaign.
  const resident = residentRoutes({
    config, residents: ctx.residentService, board: ctx.boardService, appeals: ctx.appealService, logger: ctx.logger,
    counts: ctx.rateCounts.counts('public'),
    edge: { trustProxy: () => app.get('trust proxy fn') as (addr: string, i: number) => boolean, securityHeaders: headers?.set ?? [] },
  });
  app.use(resident.form);
  app.use('/static', express.static(PUBLIC_DIR, { maxAge: '7d', index: false }));
  app.use(healthRoutes({
    engine: ctx.engine, pendingMigrations: ctx.pendingMigrations,
    config, backups: ctx.backups, walFailure: () => ctx.syncWal?.failure(),
  }));
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const bigForm = triageFormBody();
  app.use((req, res, next) => (isTriageForm(req.path) ? bigForm : form)(req, res, next));
  app.use(express.json({ limit: '64kb' }));
  app.use(viewHelpers());
  app.use(bigTextLocals());
  // Other /q/… paths (none answers) pass by the session, flash and CSRF checks as the form itself would.
  const residentForm = (req: express.Request) => req.path.startsWith('/q/');
  const unlessResidentForm = (mw: express.RequestHandler): express.RequestHandler =>
    (req, res, next) => (residentForm(req) ? next() : mw(req, res, next));
  app.use(unlessResidentForm(loadSession(ctx.auth, ctx.access, config)));
  app.use(unlessResidentForm(flashMessages()));
  // Pages and downloads for a logged-in user (residents' texts, names, photos, exports, posters) are never kept by the
  // browser's or a proxy's cache: on a shared office computer "back" after logging out shows nothing.
  app.use((req, res, next) => { if (req.user) res.set('Cache-Control', 'no-store'); next(); });
  app.use(maskPagesForMaskedReaders());
  app.use(csrfProtection(residentForm));

  // Each router gets only what it uses.
  const { campaignService: campaigns, places } = ctx;
  app.use(resident.receipts);
  app.use(boardRoutes({ config, board: ctx.boardService, rateCounts: ctx.rateCounts }));
  app.use(authRoutes({ config, auth: ctx.auth, rateCounts: ctx.rateCounts }));
  app.use(accountRoutes({ userAdmin: ctx.userAdmin, users: ctx.users, places, audit: ctx.audit }));
  app.use(homeRoutes({ config }));
  app.use(placeRoutes({ places: ctx.placeService }));
  app.use(categoryRoutes({ categories: ctx.categoryService }));
  app.use(campaignRoutes({ campaigns, places }));
  app.use(qrRoutes({ qr: ctx.qrService }));
  app.use(submissionRoutes({ config, campaigns, submissions: ctx.submissions, qrCodes: ctx.qrCodes, places }));
  app.use(intakeRoutes({ config, intake: ctx.intakeService, places, campaigns, shutdown: ctx.shutdown.signal }));
  app.use(triageRoutes({ triage: ctx.triageService, campaigns, appeals: ctx.appealService }));
  app.use(issueRoutes({
    issues: ctx.issueService, triage: ctx.triageService, issueRepo: ctx.issues, audit: ctx.audit, campaigns, menu: ctx.menuService,
    appeals: ctx.appealService,
  }));
  app.use(appealRoutes({ appeals: ctx.appealService }));
  app.use(menuRoutes({ config, menu: ctx.menuService, items: ctx.items, issueRepo: ctx.issues, audit: ctx.audit, places }));
  app.use(dashboardRoutes({ campaigns, dashboard: ctx.dashboardService, dashboardRepo: ctx.dashboardRepo, places }));
  app.use(exportRoutes({ campaigns, exports: ctx.exports, issueRepo: ctx.issues, log: ctx.log,
    threadEngine: ctx.database.threadSpec,
  }));
  app.use(searchRoutes({ search: ctx.searchService }));
  app.use(classifyRoutes({ campaigns, classify: ctx.classify, submissions: ctx.submissions, places }));

  app.use(notFoundHandler());
  app.use(errorHandler((err, req) => ctx.logger.error({ err, reqId: req.id, method: req.method, route: routeOf(req) }, 'request failed')));
  // Its ordinary requests skip Express altogether (src/resident/fast-lane.ts); helmet per request (should
  // its headers ever depend on the request) would have to run there too, so then there is no fast lane.
  if (headers) {
    const handle = (app as unknown as { handle: ExpressHandle }).handle.bind(app);
    (app as unknown as { handle: ExpressHandle }).handle = (req, res, callback) => {
      if (!resident.fastLane(req, res, () => handle(req, res, callback))) handle(req, res, callback);
    };
  }
  return Object.assign(app, { ctx, fastLane: resident.fastLane });
}

type ExpressHandle = (req: IncomingMessage, res: ServerResponse, callback?: (err?: unknown) => void) => void;

export type LinshengApp = ReturnType<typeof createApp>;
