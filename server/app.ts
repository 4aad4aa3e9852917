import path from 'node:path';
import express, { type Express, type Request, type RequestHandler } from 'express';
import session from 'express-session';
import multer from 'multer';
import type { Logger } from 'pino';
import { ApiGate } from './api/access';
import { PublicDatasetsRepo } from './api/datasets';
import { apiPageRoutes } from './api/pages';
import { apiErrorHandler, apiNotFound } from './api/problem';
import { ApiRepo } from './api/repo';
import { apiRoutes } from './api/routes';
import { ApiService } from './api/service';
import { ApiTokensRepo } from './api/tokens-repo';
import { ApiTokensService } from './api/tokens-service';
import { csrfProtection } from './auth/csrf';
import { guard } from './auth/guard';
import { authRoutes } from './auth/routes';
import { AuthService } from './auth/service';
import { DbSessionStore } from './auth/session-store';
import { TokensRepo } from './auth/tokens-repo';
import { CalendarRepo } from './calendar/repo';
import { calendarRoutes } from './calendar/routes';
import { CalendarService } from './calendar/service';
import { CalibrationRepo } from './courtesy/calibration-repo';
import { calibrationRoutes } from './courtesy/calibration-routes';
import { CalibrationService } from './courtesy/calibration-service';
import { CasesRepo } from './courtesy/cases-repo';
import { CasesService } from './courtesy/cases-service';
import { PlansRepo } from './courtesy/plans-repo';
import { ResultsRepo } from './courtesy/results-repo';
import { ResultsService } from './courtesy/results-service';
import { loadScoresheets } from './courtesy/scoresheet';
import { loadSurveys } from './surveys/definition';
import { publicSurveyRoutes } from './surveys/public-routes';
import { SurveysRepo } from './surveys/repo';
import { surveyRoutes } from './surveys/routes';
import { SurveysService } from './surveys/service';
import { PlansService } from './courtesy/plans-service';
import { QuestionsRepo, questionRoutes } from './courtesy/questions';
import { resultsRoutes } from './courtesy/results-routes';
import { courtesyRoutes } from './courtesy/routes';
import { TestersRepo } from './courtesy/testers-repo';
import { notificationRoutes } from './home/notifications-routes';
import { homeRoutes } from './home/routes';
import { orgRoutes } from './org/routes';
import { UnitsRepo } from './org/units-repo';
import { UnitsService } from './org/units-service';
import { UsersRepo } from './org/users-repo';
import { UsersService } from './org/users-service';
import { loadAssets, publicDir, vendorFiles } from './platform/assets';
import type { Config } from './platform/config';
import { ping, type Db } from './platform/db';
import { formBody } from './platform/form-body';
import { errorHandler, languageMiddleware, localsMiddleware, notFoundHandler } from './platform/http';
import { requestLogger } from './platform/logger';
import { AppSettingsRepo } from './platform/app-settings';
import { NotificationsRepo } from './platform/notifications';
import { projectRoot } from './platform/paths';
import { RateLimiter } from './platform/rate-limit';
import { securityHeaders, sendHeaders } from './platform/security-headers';
import { DashboardRepo } from './reports/dashboard-repo';
import { DashboardService } from './reports/dashboard-service';
import { ReportService } from './reports/report-service';
import { ExportsRepo } from './exports/repo';
import { exportRoutes } from './exports/routes';
import { ExportService } from './exports/service';
import { reportRoutes } from './reports/routes';
import { settingsRoutes } from './settings/routes';
import type { Route } from './platform/routes';
import { CallsRepo } from './telephony/calls-repo';
import { createTelephonyClient, type HttpClientFactory } from './telephony/client';
import { RecordingsRepo } from './telephony/recordings-repo';
import { recordingRoutes } from './telephony/recordings-routes';
import { RecordingsService } from './telephony/recordings-service';
import { telephonyRoutes } from './telephony/routes';
import { CallRingTimes, TelephonyService } from './telephony/service';
import { SmsOutbox } from './telephony/sms-outbox';
import { KeypadService } from './petitions/keypad-service';
import { keypadRoutes } from './petitions/keypad-routes';
import { invitationRoutes } from './petitions/public-routes';
import { PetitionsRepo } from './petitions/repo';
import { petitionRoutes } from './petitions/routes';
import { PetitionsService } from './petitions/service';
import { SmsReminders } from './telephony/sms-reminders';
import { SmsRepo } from './telephony/sms-repo';
import { smsRoutes } from './telephony/sms-routes';

export interface AppDeps {
  db: Db;
  config: Config;
  logger: Logger;
  sessionSecret: string;
  clock?: () => Date;
  /** The SDK's HTTP client for Twilio (tests point it at a local fake); the SDK's own by default. */
  twilioHttpClient?: HttpClientFactory;
}

/** Repositories and services, built once from the database. */
export function buildServices(deps: AppDeps) {
  const { db, config } = deps;
  const clock = deps.clock ?? (() => new Date());
  const unitsRepo = new UnitsRepo(db);
  const usersRepo = new UsersRepo(db);
  const sessions = new DbSessionStore(db, config.sessionIdleMinutes * 60_000, clock);
  const auth = new AuthService(db, usersRepo, unitsRepo, new TokensRepo(db), new RateLimiter(db), sessions, config, clock);
  const settings = new AppSettingsRepo(db);
  const notifications = new NotificationsRepo(db);
  const calendar = new CalendarService(db, new CalendarRepo(db), clock);
  const plansRepo = new PlansRepo(db);
  const casesRepo = new CasesRepo(db);
  // Without credentials there is no client: manual mode, and the pages say so.
  const telephonyClient = config.twilio ? createTelephonyClient(config.twilio, { httpClient: deps.twilioHttpClient }) : null;
  const smsOutbox = new SmsOutbox(db, new SmsRepo(db), unitsRepo, config, telephonyClient, clock, deps.logger);
  const resultsRepo = new ResultsRepo(db);
  const smsReminders = new SmsReminders(db, smsOutbox, plansRepo, resultsRepo, usersRepo, config);
  const cases = new CasesService(db, casesRepo, settings, notifications, clock, smsReminders, deps.logger);
  const sheets = loadScoresheets(path.join(projectRoot, 'surveys', 'scoresheets'));
  const surveysRepo = new SurveysRepo(db);
  const surveyDefinitions = loadSurveys(path.join(projectRoot, 'surveys'));
  const callsRepo = new CallsRepo(db);
  const ringTimes = new CallRingTimes(callsRepo);
  const results = new ResultsService(db, resultsRepo, plansRepo, unitsRepo, cases, settings, sheets, clock, ringTimes);
  const surveys = new SurveysService(db, surveysRepo, unitsRepo, settings, surveyDefinitions, deps.sessionSecret, clock);
  const dashboardRepo = new DashboardRepo(db);
  const dashboard = new DashboardService(dashboardRepo, unitsRepo, surveysRepo, resultsRepo, settings, surveyDefinitions, sheets, clock);
  const publicDatasets = new PublicDatasetsRepo(db);
  const api = new ApiService(dashboard, unitsRepo, new ApiRepo(db), surveyDefinitions);
  const apiGate = new ApiGate(
    new ApiTokensRepo(db),
    (userId) => auth.currentUser(userId),
    new RateLimiter(db),
    publicDatasets,
    () => api.datasets(),
    { max: config.apiRequestsPerMinute, windowMs: 60_000 },
    clock,
  );
  const recordings = new RecordingsService(new RecordingsRepo(db), callsRepo, plansRepo, settings, config, telephonyClient, clock, deps.logger);
  const petitionsRepo = new PetitionsRepo(db);
  const petitions = new PetitionsService(db, petitionsRepo, surveys, unitsRepo, settings, config, deps.sessionSecret, clock, smsOutbox);
  return {
    db,
    config,
    clock,
    sessions,
    auth,
    settings,
    notifications,
    calendar,
    units: new UnitsService(db, unitsRepo, clock),
    users: new UsersService(db, usersRepo, unitsRepo, sessions, clock),
    cases,
    questions: new QuestionsRepo(db),
    plans: new PlansService(db, plansRepo, unitsRepo, new TestersRepo(db), calendar, settings, notifications, cases, clock),
    surveys,
    petitions,
    keypad: new KeypadService(db, petitionsRepo, surveys, petitions, config, telephonyClient, clock, deps.logger),
    results,
    calibration: new CalibrationService(db, new CalibrationRepo(db), resultsRepo, new TestersRepo(db), settings, notifications, new RecordingsRepo(db), ringTimes, clock),
    telephony: new TelephonyService(db, callsRepo, ringTimes, results, plansRepo, resultsRepo, usersRepo, config, telephonyClient, clock, deps.logger, recordings, smsOutbox),
    dashboard,
    exports: new ExportService(new ExportsRepo(db), dashboardRepo, unitsRepo, surveysRepo, results, resultsRepo, plansRepo, surveyDefinitions, sheets, clock),
    api,
    apiGate,
    apiTokens: new ApiTokensService(db, clock),
    publicDatasets,
    smsOutbox,
    smsReminders,
    recordings,
    reports: new ReportService(dashboard, dashboardRepo, unitsRepo, surveysRepo, resultsRepo, casesRepo, settings, surveyDefinitions, (path) => surveys.healthIn(path), clock, (unitIds, months, surveyKey) => petitions.responseRates(unitIds, months, surveyKey)),
  };
}
export type Services = ReturnType<typeof buildServices>;

/** The route table: every page and action, with who may use it. */
export function routeTable(services: Services): Route[] {
  return [
    // The citizen's pages first: they take the most traffic, and the router tries routes in order.
    ...publicSurveyRoutes(services.surveys, services.settings, (req) => req.secure),
    ...invitationRoutes(services.petitions, services.surveys, (req) => req.secure),
    ...homeRoutes(),
    ...notificationRoutes(services.notifications, services.clock),
    ...authRoutes(services.auth),
    ...orgRoutes(services.units, services.users, services.auth),
    ...calendarRoutes(services.calendar),
    ...settingsRoutes(services.db, services.settings, services.telephony, services.clock),
    ...courtesyRoutes(services.plans),
    ...resultsRoutes(services.results, services.cases, services.telephony.calling, services.recordings, async (user) => (await services.calibration.tasks(user)).length),
    ...calibrationRoutes(services.calibration, services.recordings),
    ...telephonyRoutes(services.telephony, services.results, services.config, services.recordings),
    ...recordingRoutes(services.recordings),
    ...smsRoutes(services.smsOutbox, services.config),
    ...questionRoutes(services.questions, services.units, services.clock),
    ...surveyRoutes(services.surveys, services.units, () => services.config.publicBaseUrl, services.clock),
    ...reportRoutes(services.dashboard, services.reports),
    ...apiPageRoutes(services.db, services.apiTokens, services.api, services.publicDatasets, services.clock),
    ...apiRoutes(services.api, services.apiGate, () => services.config.publicBaseUrl),
    ...exportRoutes(services.exports),
    ...petitionRoutes(services.petitions, services.keypad, services.clock),
    ...keypadRoutes(services.keypad, services.config),
  ];
}

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 50 } });
/** Multipart bodies (file uploads) are parsed before the CSRF check so that their token can be read. */
const multipart: RequestHandler = (req, res, next) => (req.is('multipart/form-data') ? upload.single('file')(req, res, next) : next());

/** The pages of citizens and petitioners, who never sign in. */
const citizenPath = (path: string) => path.startsWith('/s/') || path === '/i' || path.startsWith('/i/');

/**
 * Adds routes of the table to the app, each behind its access guard and then
 * the given middleware: straight onto the app, not through a router of their
 * own, which would be one more dispatch for every request.
 */
function addRoutes(app: Express, routes: Route[], ...before: RequestHandler[]): void {
  for (const route of routes) app[route.method](route.path, guard(route.access), ...before, ...route.handlers);
}

export function createApp(deps: AppDeps, services: Services = buildServices(deps)): Express {
  const { config, logger, db } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // Helmet's headers, worked out once: they are the same for every response.
  app.use(sendHeaders(securityHeaders({ hsts: config.trustProxy !== false })));
  if (config.logRequests) app.use(requestLogger(logger));

  const bodyLimits = { limit: 2 * 1024 * 1024, parameterLimit: 2000 };
  const assets = loadAssets();
  const table = routeTable(services);
  // The citizen's survey pages (/s/…) and the petitioner's invitation pages (/i, /i/…) come first, with
  // only what they need: nobody signs in there (no session, no user), each form carries its own
  // double-submit token (no session CSRF), their forms are plain (a lean body reader), and they take
  // the most traffic.
  addRoutes(app, table.filter((r) => citizenPath(r.path)), formBody(bodyLimits), localsMiddleware(assets));

  app.get('/healthz', async (_req, res) => {
    try {
      await ping(db);
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable' });
    }
  });
  app.use('/static', express.static(publicDir, { maxAge: '365d', immutable: true, index: false }));
  for (const [file, full] of Object.entries(vendorFiles)) app.get(`/static/${file}`, (_req, res) => res.sendFile(full, { maxAge: '365d', immutable: true }));

  app.use(express.urlencoded({ extended: false, ...bodyLimits }));

  app.use(multipart);
  const sessions = session({
    name: 'sid',
    store: services.sessions,
    secret: deps.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.trustProxy !== false ? 'auto' : false,
      maxAge: config.sessionIdleMinutes * 60_000,
    },
  });
  // Twilio's webhooks (/twilio/…) have no session: each is signed instead (telephony/routes.ts).
  // Nor has the open-data API (/api/…): it reads only (GET), with a bearer token or none (api/access.ts).
  // Nor the citizen's addresses that matched no page above (they end as the 404 page).
  const sessionless = (req: Request) => citizenPath(req.path) || req.path.startsWith('/twilio/') || req.path.startsWith('/api/');
  app.use((req, res, next) => (sessionless(req) ? next() : sessions(req, res, next)));
  app.use(async (req, res, next) => {
    const userId = req.session?.userId;
    req.user = userId === undefined ? undefined : await services.auth.currentUser(userId);
    if (userId !== undefined && !req.user) delete req.session.userId;
    res.locals.unread = req.user && req.method === 'GET' ? await services.notifications.unreadCount(req.user.id) : 0;
    next();
  });
  app.use(languageMiddleware);
  // Twilio's webhooks carry its signature instead of a CSRF token.
  app.use(csrfProtection(sessionless));
  app.use(localsMiddleware(assets));

  app.use('/api', services.apiGate.authenticate);
  addRoutes(app, table.filter((r) => !citizenPath(r.path)));

  app.use('/api', apiNotFound);
  app.use('/api', apiErrorHandler(logger));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, assets));
  return app;
}
