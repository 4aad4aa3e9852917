import type { Express } from 'express';
import type { Logger } from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { buildServices, createApp, type AppDeps, type Services } from '../../server/app';
import { hashPassword } from '../../server/auth/passwords';
import type { Role } from '../../server/auth/current-user';
import { loadConfig, type Config } from '../../server/platform/config';
import { createLogger } from '../../server/platform/logger';
import { UnitsRepo, type Unit, type UnitFields } from '../../server/org/units-repo';
import { UsersRepo } from '../../server/org/users-repo';
import { createTestDb, type TestDb } from './db';

export const PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: Express;
  services: Services;
  config: Config;
  testDb: TestDb;
  close(): Promise<void>;
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', LOG_REQUESTS: 'false', DATA_DIR: dataDir, ...env });
}

/** The test app's secret, also the salt of source hashes (so a test can compute one). */
export const TEST_SESSION_SECRET = 'test-secret-that-is-long-enough-0123456789';

/**
 * The real app on a fresh migrated database (SQLite, or PostgreSQL in the integration-pg project).
 * `extra.twilioHttpClient` points the Twilio SDK at a local fake (tests/support/fake-twilio.ts).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  clock?: () => Date,
  logger: Logger = createLogger('silent'),
  extra: Pick<AppDeps, 'twilioHttpClient'> = {},
): Promise<TestApp> {
  const testDb = await createTestDb();
  const config = testConfig(testDb.dataDir, env);
  const deps = { db: testDb.db, config, logger, sessionSecret: TEST_SESSION_SECRET, clock, ...extra };
  const services = buildServices(deps);
  return { app: createApp(deps, services), services, config, testDb, close: () => testDb.drop() };
}

let counter = 0;

/** Inserts a unit directly (for arranging a test); the parent's path is looked up. */
export async function seedUnit(t: TestApp, fields: Partial<UnitFields> & { parentId: number | null }): Promise<Unit> {
  const repo = new UnitsRepo(t.testDb.db);
  const parent = fields.parentId === null ? undefined : await repo.findById(fields.parentId);
  counter += 1;
  return repo.insert(
    {
      code: `U${counter}`,
      type: fields.parentId === null ? 'agency' : 'unit',
      nameZh: `單位${counter}`,
      nameEn: `Unit ${counter}`,
      phoneE164: null,
      phoneExt: null,
      active: true,
      ...fields,
    },
    parent?.path ?? '/',
    new Date().toISOString(),
  );
}

/** Inserts an active user with PASSWORD and returns its e-mail address. */
export async function seedUser(t: TestApp, role: Role, unitId: number, email?: string): Promise<{ id: number; email: string }> {
  counter += 1;
  const address = email ?? `${role}${counter}@example.gov.tw`;
  const id = await new UsersRepo(t.testDb.db).insert(
    { email: address, name: `${role} ${counter}`, role, unitId, phoneE164: null, phoneExt: null, active: true },
    new Date().toISOString(),
    t.testDb.db,
    await hashPassword(PASSWORD),
  );
  return { id, email: address };
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in page');
  return match[1];
}

/** A cookie-keeping client with the session's CSRF token at hand. */
export interface Client {
  agent: TestAgent;
  csrf: string;
  /** POSTs a form with the session's CSRF token. */
  post(path: string, form?: Record<string, string | string[]>): request.Test;
}

export async function client(app: Express): Promise<Client> {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const c: Client = {
    agent,
    csrf: csrfFrom(page.text),
    post: (path, form = {}) => agent.post(path).type('form').send({ _csrf: c.csrf, ...form }),
  };
  return c;
}

/** Signs in and returns the client (its CSRF token is the new session's). */
export async function signedIn(app: Express, email: string, password = PASSWORD): Promise<Client> {
  const c = await client(app);
  const res = await c.post('/login', { email, password });
  if (res.status !== 303) throw new Error(`login failed for ${email}: ${res.status}`);
  c.csrf = csrfFrom((await c.agent.get('/account/password')).text);
  return c;
}
