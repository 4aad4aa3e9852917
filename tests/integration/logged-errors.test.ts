import express from 'express';
import request from 'supertest';
import { loadAssets } from '../../server/platform/assets';
import { errorHandler } from '../../server/platform/http';
import { requestLogger } from '../../server/platform/logger';
import { createTestDb, type TestDb } from '../support/db';
import { capturingLogger } from '../support/logs';

const EMAIL = 'citizen.a123456789@example.com';
/** Not a number: refused by an integer column (PostgreSQL quotes it in its message). */
const NOT_A_NUMBER = 'phone-0912345678';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
  await t.db.schema.createTable('scratch_people', (table) => {
    table.string('email').unique();
  });
  // SQLite refuses text in an integer column only in a STRICT table.
  await t.db.raw(`create table scratch_numbers (n integer not null)${t.kind === 'sqlite' ? ' strict' : ''}`);
  await t.db('scratch_people').insert({ email: EMAIL });
});
afterAll(() => t.drop());

/** What the driver throws through knex for a statement, or a failure of the test if it succeeds. */
async function refusal(statement: Promise<unknown>): Promise<Error> {
  try {
    await statement;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the statement should have failed');
}
const uniqueViolation = () => refusal(t.db('scratch_people').insert({ email: EMAIL }));
const typeRefusal = () => refusal(t.db('scratch_numbers').insert({ n: NOT_A_NUMBER }));

test('as thrown, the statement in the message has placeholders, not the values', async () => {
  const err = await uniqueViolation();
  expect(err.message).toContain('scratch_people');
  expect(err.message).not.toContain(EMAIL);
});

test("a database error is logged with its code and the driver's reason, and nothing of the row", async () => {
  const { logger, text } = capturingLogger();
  logger.error({ err: await uniqueViolation() }, 'unhandled error');
  const line = JSON.parse(text()) as { err: { code: string; message: string; stack: string } };
  // PostgreSQL's detail ("Key (email)=(…) already exists.") is not logged.
  expect(text()).not.toContain(EMAIL);
  if (t.kind === 'pg') {
    expect(line.err.code).toBe('23505');
    expect(line.err.message).toBe('duplicate key value violates unique constraint "scratch_people_email_unique"');
  } else {
    expect(line.err.code).toBe('SQLITE_CONSTRAINT');
    expect(line.err.message).toBe('SQLITE_CONSTRAINT: UNIQUE constraint failed: scratch_people.email');
  }
  // The stack keeps its frames (where the driver gives any) under the reason.
  expect(line.err.stack.split('\n')[0]).toBe(`${t.kind === 'pg' ? 'error' : 'Error'}: ${line.err.message}`);
});

test('a value the column refuses is not quoted in the log', async () => {
  const err = await typeRefusal();
  const { logger, text } = capturingLogger();
  logger.error({ err }, 'unhandled error');
  const line = JSON.parse(text()) as { err: { code: string; message: string } };
  expect(text()).not.toContain(NOT_A_NUMBER);
  if (t.kind === 'pg') {
    // As thrown, PostgreSQL's own message holds the value.
    expect(err.message).toContain(NOT_A_NUMBER);
    expect(line.err).toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "…"' });
  } else {
    expect(line.err).toMatchObject({ code: 'SQLITE_CONSTRAINT', message: 'SQLITE_CONSTRAINT: cannot store TEXT value in INTEGER column scratch_numbers.n' });
  }
});

test("through the error handler: a 500 page, and a log line without the row's values", async () => {
  const { logger, text } = capturingLogger();
  const app = express();
  app.get('/save', async () => {
    await t.db('scratch_people').insert({ email: EMAIL });
  });
  app.use(errorHandler(logger, loadAssets()));
  const res = await request(app).get('/save');
  expect(res.status).toBe(500);
  expect(res.text).not.toContain(EMAIL);
  expect(text()).toContain('unhandled error');
  expect(text()).toContain(t.kind === 'pg' ? '23505' : 'SQLITE_CONSTRAINT');
  expect(text()).not.toContain(EMAIL);
});

test("through a request's own logger (pino-http's child) the same", async () => {
  const { logger, text } = capturingLogger();
  const app = express();
  app.use(requestLogger(logger));
  app.get('/number', async (req, res) => {
    req.log.warn({ err: await typeRefusal() }, 'could not store');
    res.status(204).end();
  });
  expect((await request(app).get('/number')).status).toBe(204);
  expect(text()).toContain('could not store');
  expect(text()).not.toContain(NOT_A_NUMBER);
});

test('any other error keeps its message and stack', () => {
  const { logger, text } = capturingLogger();
  const err = new Error('the scoresheet has no part "A"');
  logger.error({ err }, 'failed');
  const line = JSON.parse(text()) as { err: { message: string; stack: string; type: string } };
  expect(line.err).toMatchObject({ type: 'Error', message: 'the scoresheet has no part "A"', stack: err.stack });
});
