import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { Unit } from '../../server/org/units-repo';
import { loadSurveys, type Question, type Survey } from '../../server/surveys/definition';
import type { ChannelMode } from '../../server/surveys/repo';
import { createTestApp, seedUnit, type TestApp } from '../support/app';

/**
 * Whatever is posted to a public survey address: never a server error; every
 * refusal says why; a response is stored only whole (every required answer
 * with it), and exactly once for each 303.
 */

const RUNS = Number(process.env.SURVEY_FUZZ_RUNS ?? 10_000);
const KIOSK_KEY = 'kiosk-key-0123456789';

let now = new Date('2026-12-01T02:00:00Z');
let t: TestApp;
let server: http.Server;
let agent: TestAgent;
let token = '';
let units: Unit[] = [];
/** What the server logged as errors while answering (the test app logs nothing else). */
const serverErrors: string[] = [];

interface Target {
  code: string;
  mode: ChannelMode;
  survey: Survey;
}
const targets: Target[] = [];

beforeAll(async () => {
  // Behind a proxy: X-Forwarded-For tells one citizen from another, so the per-source limit bites only where meant to.
  const logger = pino({ level: 'error' }, { write: (line: string) => void serverErrors.push(line) });
  t = await createTestApp({ TRUST_PROXY: '1' }, () => now, logger);
  const agency = await seedUnit(t, { parentId: null, code: 'FZ' });
  units = [agency, await seedUnit(t, { parentId: agency.id, code: 'FZ-1' }), await seedUnit(t, { parentId: agency.id, code: 'FZ-2' })];
  const specs: [string, string, ChannelMode, Unit | undefined][] = [
    ['FUZZC1', 'citizen', 'personal', units[1]],
    ['FUZZK2', 'citizen', 'kiosk', units[2]],
    ['FUZZS3', 'staff', 'staff', agency],
    ['FUZZP4', 'case', 'personal', units[1]],
  ];
  for (const [code, surveyKey, mode, unit] of specs) {
    if (!unit) throw new Error('no unit');
    await t.testDb.db('channels').insert({
      code, survey_key: surveyKey, unit_id: unit.id, counter_name: '', mode, kiosk_key: mode === 'kiosk' ? KIOSK_KEY : null,
      codes_required: false, active: true, created_by: null, created_at: now.toISOString(),
    });
    targets.push({ code, mode, survey: t.services.surveys.survey(surveyKey).survey });
  }
  // One listening server for all requests (supertest would otherwise start one per request).
  server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  agent = request.agent(server);
  const page = await agent.get(`/s/FUZZK2?k=${KIOSK_KEY}`);
  token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  expect(token).toMatch(/^[\w-]{20,64}$/);
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.close();
});

// ---------- bodies ----------

/** A long value is kept as a recipe, so that a failing example prints short. */
interface Long {
  repeat: string;
  times: number;
}
type Value = string | string[] | Long;
type Entry = [string, Value];
const expand = (v: Value): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [v.repeat.repeat(v.times)]);

/** The field names of every shipped question (each survey's own, and the others'). */
const QUESTION_FIELDS = [...new Set(loadSurveys(path.resolve(__dirname, '../../surveys')).flatMap((v) => v.survey.sections.flatMap((s) => s.questions.map((q) => `q_${q.key}`))))];

const controlChars = fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u200b', '\u2028', '\u202e', '\ufeff', '\ufffd'), maxLength: 8 });
const junkText = fc.oneof(
  fc.constantFrom('', ' ', 'na', 'NA', 'N/A', '0', '5', '6', '7', '10', '11', '-1', '+5', '05', '5.0', '1e1', '０', '５', 'null', 'undefined', 'true', '[]', '{}', '[1,2]', '["a"]', '[電話]', '__proto__', '<script>alert(1)</script>', '"><b>x</b>', '%', '%00', '\\', "' or 1=1 --", 'Ａ１２３４５６７８９', '0912-345-678'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  controlChars,
  fc.integer().map(String),
  fc.double().map(String),
);
const valueArb: fc.Arbitrary<Value> = fc.oneof(
  { weight: 120, arbitrary: junkText },
  { weight: 40, arbitrary: fc.array(fc.oneof(junkText, fc.constantFrom('x', 'y', '1', '5')), { maxLength: 60 }) },
  // Around the 5000-character limit of a field (in characters that take 9 bytes each in a form).
  { weight: 10, arbitrary: fc.record({ repeat: fc.constantFrom('字', 'a'), times: fc.constantFrom(4_999, 5_000, 5_001) }) },
  // Rare: just under the 2 MB body limit, or over it.
  { weight: 1, arbitrary: fc.record({ repeat: fc.constant('x'), times: fc.constantFrom(600_000, 2_200_000) }) },
);
const nameArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...QUESTION_FIELDS),
  fc.string({ maxLength: 20 }).map((s) => `q_${s}`),
  fc.constantFrom('_csrf', 'website', 'code', 'lang', 'k', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'q_overall[]', 'q_overall[0]', 'a[b]', 'a[b][c]', 'q_', '', 'Q_OVERALL', 'q_overall '),
  fc.string({ unit: 'binary', maxLength: 90 }),
  controlChars,
);

function answerArb(q: Question, survey: Survey, unitIds: string[]): fc.Arbitrary<string | undefined> {
  let given: fc.Arbitrary<string>;
  switch (q.type) {
    case 'likert': {
      const points = (survey.scales[q.scale]?.points ?? []).map((p) => String(p.value));
      given = fc.constantFrom(...points, ...(q.allowNA ? ['na'] : []));
      break;
    }
    case 'rating':
      given = fc.integer({ min: 0, max: 10 }).map(String);
      break;
    case 'single':
    case 'demographic':
    case 'multiple':
      given = fc.constantFrom(...q.options.map((o) => o.value));
      break;
    case 'text':
      given = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.constantFrom('謝謝', '請回電 0912345678', '[建議] 多開窗口', 'A123456789 chen@example.com'));
      break;
    case 'unit':
      given = fc.constantFrom(...unitIds);
      break;
  }
  return q.required ? given : fc.option(given, { nil: undefined });
}

/** A complete, valid set of answers for a survey, optional questions sometimes skipped. */
function validEntries(survey: Survey): fc.Arbitrary<Entry[]> {
  const questions = survey.sections.flatMap((s) => s.questions);
  const unitIds = units.map((u) => String(u.id));
  return fc.tuple(...questions.map((q) => answerArb(q, survey, unitIds))).map((given) => {
    const entries: Entry[] = [];
    questions.forEach((q, i) => {
      const a = given[i];
      if (a !== undefined) entries.push([`q_${q.key}`, a]);
    });
    return entries;
  });
}

type Mutation = { kind: 'drop' | 'replace' | 'duplicate'; at: number; value: Value } | { kind: 'add'; at: number; name: string; value: Value };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('drop' as const, 'replace' as const, 'duplicate' as const), at: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant('add' as const), at: fc.nat(), name: nameArb, value: valueArb }),
);

function mutate(entries: Entry[], mutations: Mutation[]): Entry[] {
  const out = [...entries];
  for (const m of mutations) {
    const i = out.length === 0 ? 0 : m.at % out.length;
    const e = out[i];
    if (m.kind === 'add') out.splice(i, 0, [m.name, m.value]);
    else if (!e) continue;
    else if (m.kind === 'drop') out.splice(i, 1);
    else if (m.kind === 'replace') out[i] = [e[0], m.value];
    else out.push([e[0], m.value]);
  }
  return out;
}

const bodyArb = (survey: Survey): fc.Arbitrary<Entry[]> =>
  fc.oneof(
    { weight: 6, arbitrary: validEntries(survey) },
    { weight: 5, arbitrary: fc.tuple(validEntries(survey), fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([e, m]) => mutate(e, m)) },
    { weight: 3, arbitrary: fc.array(fc.tuple(nameArb, valueArb), { maxLength: 25 }) },
  );

interface Post {
  target: number;
  entries: Entry[];
  csrf: 'right' | 'wrong' | 'missing' | 'twice' | 'empty';
  cookie: boolean;
  kiosk: 'right' | 'wrong' | 'missing';
  json: 'no' | 'object' | 'broken';
  lang: string | undefined;
  ip: string;
  rawTail: string;
  /** Extra empty fields: around the 200-field limit of a submission, rarely past the parser's 2000 parameters. */
  padding: number;
}

/** Built once the channels exist (and once only: building string arbitraries is not cheap). */
const postArb = (): fc.Arbitrary<Post> => fc.oneof(...targets.map((tg, target) => postFor(target, bodyArb(tg.survey))));

const postFor = (target: number, entries: fc.Arbitrary<Entry[]>): fc.Arbitrary<Post> =>
  fc.record({
    target: fc.constant(target),
    entries,
    csrf: fc.oneof({ weight: 16, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'missing' as const, 'twice' as const, 'empty' as const) }),
    cookie: fc.oneof({ weight: 30, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    kiosk: fc.oneof({ weight: 16, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'missing' as const) }),
    json: fc.oneof({ weight: 6, arbitrary: fc.constant('no' as const) }, { weight: 1, arbitrary: fc.constantFrom('object' as const, 'broken' as const) }),
    lang: fc.option(fc.constantFrom('en', 'zh-TW', 'fr', ''), { nil: undefined, freq: 3 }),
    ip: fc.oneof(
      { weight: 20, arbitrary: fc.ipV4() },
      // One busy source: its bursts are flagged, then it is told to wait.
      { weight: 1, arbitrary: fc.constant('192.0.2.1') },
      { weight: 1, arbitrary: fc.constantFrom('unknown', '', '::1', '2001:db8::1', '10.0.0.1, 10.0.0.2', 'x'.repeat(300)) },
    ),
    padding: fc.oneof({ weight: 60, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 150, max: 260 }) }, { weight: 1, arbitrary: fc.constant(2_100) }),
    rawTail: fc.oneof({ weight: 12, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('&%', '&=x', '&&', '&a=%ZZ', '&%E0%A4%A=1', '&q_overall', '&=', '&a[b]=1&a[b]=2', '&%5F%63%73%72%66=x') }),
  });

function formOf(p: Post, tg: Target): { type: string; body: string } {
  const entries: Entry[] = [];
  if (p.csrf === 'right') entries.push(['_csrf', token]);
  if (p.csrf === 'wrong') entries.push(['_csrf', `${token.slice(1)}x`]);
  if (p.csrf === 'twice') entries.push(['_csrf', token], ['_csrf', token]);
  if (p.csrf === 'empty') entries.push(['_csrf', '']);
  if (tg.mode === 'kiosk' && p.kiosk !== 'missing') entries.push(['k', p.kiosk === 'right' ? KIOSK_KEY : 'not-the-key']);
  if (p.lang !== undefined) entries.push(['lang', p.lang]);
  entries.push(...p.entries);
  for (let i = 0; i < p.padding; i += 1) entries.push([`f${i}`, '']);
  if (p.json !== 'no') {
    const json = JSON.stringify(Object.fromEntries(entries.map(([name, value]) => [name, Array.isArray(value) ? value : expand(value)[0]])));
    return { type: 'application/json', body: p.json === 'broken' ? json.slice(0, -1) : json };
  }
  const form = new URLSearchParams();
  for (const [name, value] of entries) for (const v of expand(value)) form.append(name, v);
  return { type: 'application/x-www-form-urlencoded', body: form.toString() + p.rawTail };
}

// ---------- checks ----------

const SUMMARY = /<div class="sum"[^>]*>\s*<h2 id="sum-t">[^<]+<\/h2>\s*<ul>(?:<li><a href="#[^"]*">[^<]+<\/a><\/li>)+<\/ul>/;
const MESSAGE = /<h1>[^<\s][^<]*<\/h1>\s*<p>[^<\s][^<]*<\/p>/;
const ALLOWED = new Set([303, 400, 403, 413, 422, 429]);

async function responseCount(): Promise<number> {
  const row = await t.testDb.db('responses').count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Why an answer row is not a valid, whole answer to its question (undefined: it is). */
function invalidAnswer(q: Question, survey: Survey, a: { value: string | null; text: string | null }): string | undefined {
  switch (q.type) {
    case 'likert': {
      const ok = (survey.scales[q.scale]?.points ?? []).some((p) => String(p.value) === a.value) || (q.allowNA && a.value === 'na');
      return ok && a.text === null ? undefined : 'not a point of the scale';
    }
    case 'rating':
      return a.value !== null && /^(10|[0-9])$/.test(a.value) ? undefined : 'not a rating';
    case 'single':
    case 'demographic':
      return q.options.some((o) => o.value === a.value) ? undefined : 'not an option';
    case 'multiple':
      return a.value === null && a.text !== null ? undefined : 'not a list of options';
    case 'text':
      return a.value === null && a.text !== null && a.text.trim() !== '' && [...a.text].length <= q.maxLength ? undefined : 'not a text';
    case 'unit':
      return a.value !== null && units.some((u) => String(u.id) === a.value) ? undefined : 'not a unit of the agency';
  }
}

/** Posts go out in concurrent batches, as from several phones at once: submissions share group commits, and the run stays short. */
const BATCH = 16;

function send(p: Post): Promise<request.Response> {
  const tg = targets[p.target];
  if (!tg) throw new Error('no target');
  const { type, body } = formOf(p, tg);
  const client = p.cookie ? agent : request(server);
  return client.post(`/s/${tg.code}`).set('Content-Type', type).set('X-Forwarded-For', p.ip).redirects(0).send(body);
}

/** A post as a short line for a failure message: long strings cut. */
const brief = (p: Post): string =>
  JSON.stringify({ ...p, target: targets[p.target]?.code }, (_k, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 60)}…(${v.length})` : v));

function lastServerError(): string {
  const line = serverErrors.at(-1);
  if (!line) return 'nothing logged';
  const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
  return `${entry.msg ?? ''}: ${entry.err?.type ?? ''} ${(entry.err?.message ?? '').slice(0, 300)}`;
}

/** What can be checked of one answer alone; a failure names the body and what the server logged. */
function check(p: Post, res: request.Response): void {
  const code = targets[p.target]?.code ?? '';
  const fail = (what: string) => {
    throw new Error(`${what}\n  status ${res.status} ${String(res.headers['content-type'])}: ${res.text.slice(0, 200)}\n  server log: ${lastServerError()}\n  post: ${brief(p)}`);
  };
  if (!ALLOWED.has(res.status)) fail(`unexpected status ${res.status}`);
  if (res.status >= 400) {
    if (!/^text\/html/.test(String(res.headers['content-type']))) fail('a refusal that is not an HTML page');
    const isForm = res.text.includes(`<form method="post" action="/s/${code}"`);
    if (isForm && !SUMMARY.test(res.text)) fail('a re-rendered form without an error summary');
    if (!isForm && !MESSAGE.test(res.text)) fail('a refusal page without a heading and a message');
  }
  if (res.status === 303 && !new RegExp(`^/s/${code}/thanks(\\?|$)`).test(String(res.headers.location))) fail('a 303 elsewhere than the thanks page');
}

test(`${RUNS} random posts to the public survey pages: no 5xx, every refusal explained, only whole responses, one per 303`, async () => {
  const statuses = new Map<number, number>();
  let posts = 0;
  let seeOthers = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(postArb(), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      now = new Date(now.getTime() + BATCH * 1_000);
      // Counted here, not carried over: a failing run (and fast-check's replays while shrinking) must not upset the next.
      const before = await responseCount();
      const answers = await Promise.all(batch.map(send));
      const after = await responseCount();
      posts += batch.length;
      answers.forEach((res, i) => {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const p = batch[i];
        if (p) check(p, res);
      });
      const stored = answers.filter((res) => res.status === 303).length;
      seeOthers += stored;
      // Exactly one response for each 303, none for anything else.
      expect(after - before).toBe(stored);
    }),
    // No shrinking: replaying batches of HTTP posts takes minutes, and the failure message names the body already.
    { numRuns: Math.ceil(RUNS / BATCH), endOnFailure: true },
  );
  expect(posts).toBeGreaterThanOrEqual(RUNS);

  const db = t.testDb.db;
  expect(await responseCount()).toBe(seeOthers);
  // Enough valid bodies got through for the checks below to mean something.
  expect(seeOthers).toBeGreaterThan(RUNS / 5);
  expect(statuses.get(422) ?? 0).toBeGreaterThan(RUNS / 10);
  // Every kind of refusal was met: the form token, the body limits, the answers, the per-source and kiosk limits.
  for (const status of [403, 413, 429]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

  // Every stored response is whole: each required question answered, every answer valid, nothing foreign.
  const versions = new Map<number, Survey>();
  for (const v of (await db('survey_versions')) as { id: number; content: string }[]) versions.set(v.id, JSON.parse(v.content) as Survey);
  const answers = new Map<number, Map<string, { value: string | null; text: string | null }>>();
  for (const a of (await db('response_answers')) as { response_id: number; question_key: string; value: string | null; text: string | null }[]) {
    const m = answers.get(a.response_id) ?? new Map<string, { value: string | null; text: string | null }>();
    m.set(a.question_key, { value: a.value, text: a.text });
    answers.set(a.response_id, m);
  }
  const problems: string[] = [];
  for (const r of (await db('responses')) as { id: number; survey_version_id: number }[]) {
    const survey = versions.get(r.survey_version_id);
    if (!survey) {
      problems.push(`response ${r.id}: unknown survey version`);
      continue;
    }
    const given = answers.get(r.id) ?? new Map<string, { value: string | null; text: string | null }>();
    const questions = survey.sections.flatMap((s) => s.questions);
    for (const q of questions) {
      const a = given.get(q.key);
      if (!a) {
        if (q.required) problems.push(`response ${r.id}: required ${q.key} missing`);
        continue;
      }
      const why = invalidAnswer(q, survey, a);
      if (why) problems.push(`response ${r.id}: ${q.key} ${why}: ${JSON.stringify(a)}`);
    }
    for (const key of given.keys()) if (!questions.some((q) => q.key === key)) problems.push(`response ${r.id}: answer to unknown question ${key}`);
  }
  expect(problems).toEqual([]);

  // And what was kept along the way is what a rebuild makes.
  const order = { counts: ['survey_key', 'channel_id', 'unit_id', 'month', 'question_key', 'value'], sections: ['survey_key', 'channel_id', 'unit_id', 'month', 'section_key', 'item_i', 'item_j'], cells: ['survey_key', 'channel_id', 'unit_id', 'month', 'cell', 'question_key', 'value'] };
  const counts = await db('agg_counts').orderBy(order.counts);
  const sections = await db('agg_sections').orderBy(order.sections);
  const cells = await db('agg_cells').orderBy(order.cells);
  expect(cells.length).toBeGreaterThan(0);
  await t.services.surveys.rebuildAggregates();
  expect(await db('agg_counts').orderBy(order.counts)).toEqual(counts);
  expect(await db('agg_sections').orderBy(order.sections)).toEqual(sections);
  expect(await db('agg_cells').orderBy(order.cells)).toEqual(cells);
}, 300_000);
