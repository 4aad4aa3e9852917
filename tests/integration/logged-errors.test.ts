import express from 'express';
import request from 'supertest';
import { loadAssets } from '../../server/platform/assets';
import { errorHandler } from '../../server/platform/http';
import { createTestDb, type TestDb } from '../support/db';
import { capturingLogger } from '../support/logs';

const EMAIL = 'citizen.a123456789@example.com';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
  await t.db.schema.createTable('scratch_people', (table) => {
    table.string('email').unique();
  });
  await t.db('scratch_people').insert({ email: EMAIL });
});
afterAll(() => t.drop());

/** The driver's refusal of a second row with the same e-mail address, as knex throws it. */
async function uniqueViolation(): Promise<Error> {
  try {
    await t.db('scratch_people').insert({ email: EMAIL });
  } catch (err) {
    return err as Error;
  }
  throw new Error('the insert should have failed');
}

test('as thrown, the error holds the value (why the log must not take it as it is)', async () => {
  const err = await uniqueViolation();
  expect(`${err.message} ${JSON.stringify(err)}`).toContain(EMAIL);
});

test('a database error is logged with its code and the driver\'s reason, without the statement\'s values', async () => {
  const { logger, text } = capturingLogger();
  logger.error({ err: await uniqueViolation() }, 'unhandled error');
  const line = JSON.parse(text()) as { err: { code: string; message: string; stack: string } };
  expect(text()).not.toContain(EMAIL);
  if (t.kind === 'pg') {
    expect(line.err.code).toBe('23505');
    expect(line.err.message).toBe('duplicate key value violates unique constraint "scratch_people_email_unique"');
  } else {
    expect(line.err.code).toBe('SQLITE_CONSTRAINT');
    expect(line.err.message).toBe('SQLITE_CONSTRAINT: UNIQUE constraint failed: scratch_people.email');
  }
  // The stack keeps its frames (where the driver gives any) under the cleaned message.
  expect(line.err.stack.split('\n')[0]).toBe(`${t.kind === 'pg' ? 'error' : 'Error'}: ${line.err.message}`);
});

test('through the error handler: a 500 page, and a log line without the value', async () => {
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

test('any other error keeps its message and stack', () => {
  const { logger, text } = capturingLogger();
  const err = new Error('the scoresheet has no part "A"');
  logger.error({ err }, 'failed');
  const line = JSON.parse(text()) as { err: { message: string; stack: string; type: string } };
  expect(line.err).toMatchObject({ type: 'Error', message: 'the scoresheet has no part "A"', stack: err.stack });
});
