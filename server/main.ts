import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildServices, createApp } from './app';
import { caseRemindersJob, draftPlansJob } from './courtesy/jobs';
import { loadConfig, type Config } from './platform/config';
import { openDb, type Db } from './platform/db';
import { createLogger } from './platform/logger';
import { migrateLatest } from './platform/migrations';
import { sessionSecret } from './platform/settings';
import type { HttpClientFactory } from './telephony/client';
import { testerRemindersJob } from './telephony/sms-reminders';
import { recordingRetentionJob } from './telephony/jobs';

export interface Running {
  server: Server;
  db: Db;
  url: string;
  /** The one-time setup link printed at start, while no administrator exists. */
  setupLink: string | null;
  stop(): Promise<void>;
}

const HOUR = 3600_000;
const JOB_INTERVAL = 10 * 60_000;
const SMS_INTERVAL = 60_000;

/** config → db → migrate → jobs → listen. The only place that starts things. */
export interface StartOptions {
  /** Where the first-run setup link is printed (the console by default). */
  announce?: (text: string) => void;
  /** The Twilio SDK's HTTP client (tests point it at a local fake). */
  twilioHttpClient?: HttpClientFactory;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<Running> {
  const announce = options.announce ?? ((text: string) => process.stdout.write(text));
  const logger = createLogger(config.logLevel);
  const db = openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateLatest(db);
  const secret = await sessionSecret(db, config.sessionSecret, new Date());
  const deps = { db, config, logger, sessionSecret: secret, twilioHttpClient: options.twilioHttpClient };
  const services = buildServices(deps);
  const app = createApp(deps, services);

  const sweep = setInterval(() => {
    services.sessions.prune().catch((err: unknown) => logger.warn({ err }, 'session sweep failed'));
  }, HOUR);
  sweep.unref();
  const draft = () =>
    draftPlansJob(db, services.plans, new Date())
      .then((r) => r.ran && logger.info({ month: r.month }, 'drafted next month\'s plans'))
      .catch((err: unknown) => logger.error({ err }, 'drafting plans failed'));
  const remind = () =>
    caseRemindersJob(db, services.cases, new Date())
      .then((r) => r.ran && logger.info({ date: r.date, reminded: r.reminded }, 'reminded unit heads of cases due soon'))
      .catch((err: unknown) => logger.error({ err }, 'case reminders failed'));
  const retain = () =>
    recordingRetentionJob(db, services.recordings, new Date())
      .then((r) => r.run && logger.info({ ...r.run }, 'recording retention ran'))
      .catch((err: unknown) => logger.error({ err }, 'recording retention failed'));
  // Every instance dispatches: each message is claimed by exactly one (sms-outbox.ts).
  const dispatchSms = () =>
    services.smsOutbox
      .dispatchDue(new Date())
      .then((r) => (r.sent > 0 || r.failed > 0) && logger.info(r, 'SMS outbox dispatched'))
      .catch((err: unknown) => logger.error({ err }, 'SMS dispatch failed'));
  // Survey invitations: one reminder a week on, and expired ones (and every answered one's messages) erased.
  // Safe on every instance: a reminder is queued once per invitation (dedupe key), erasing twice changes nothing.
  const invitations = () =>
    services.petitions
      .remind(new Date())
      .then(() => services.petitions.expireAndErase(new Date()))
      // Keypad calls whose status callback was lost: ended as a hang-up, their sessions deleted.
      .then(() => services.keypad.finishIdle(new Date()))
      .catch((err: unknown) => logger.error({ err }, 'invitation reminders, erasure or idle keypad sessions failed'));
  const dispatching = setInterval(() => void dispatchSms(), SMS_INTERVAL);
  dispatching.unref();
  const remindTesters = () =>
    testerRemindersJob(db, services.smsReminders, new Date())
      .then((r) => r.ran && logger.info({ date: r.date, stored: r.stored }, 'queued the testers\' SMS reminders'))
      .catch((err: unknown) => logger.error({ err }, 'testers\' SMS reminders failed'));
  const drafting = setInterval(() => {
    void draft();
    void remind();
    void invitations();
    void remindTesters();
    void retain();
  }, JOB_INTERVAL);
  drafting.unref();
  void draft();
  void remind();
  void invitations();
  void remindTesters();
  void retain();

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  // Links the server prints or sends use the public address; without one configured that is
  // where it actually listens (PORT=0 picks a free port only now). Services read it at call time.
  if (!config.publicBaseUrlConfigured) config.publicBaseUrl = url;
  logger.info({ url, database: config.databaseUrl ? 'postgresql' : 'sqlite' }, `listening on ${url}`);

  const setupLink = await services.auth.createSetupLink();
  if (setupLink) {
    // Printed on purpose: whoever can read the server's console may create the first administrator.
    announce(
      `\nNo administrator yet. Open this one-time link within ${config.setupLinkValidMinutes} minutes to create one:\n  ${setupLink}\n\n`,
    );
  }

  return {
    server,
    db,
    url,
    setupLink,
    async stop() {
      clearInterval(sweep);
      clearInterval(drafting);
      clearInterval(dispatching);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await db.destroy();
    },
  };
}

if (require.main === module) {
  startServer(loadConfig(process.env))
    .then((running) => {
      const shutdown = () => {
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
