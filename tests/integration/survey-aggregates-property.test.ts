import fc from 'fast-check';
import type { CurrentUser } from '../../server/auth/current-user';
import type { Unit } from '../../server/org/units-repo';
import { ITEM_SUM, SECTION_N, TEXT_ANSWERED } from '../../server/surveys/aggregate';
import type { Question, Survey } from '../../server/surveys/definition';
import type { Channel, ChannelMode } from '../../server/surveys/repo';
import type { SubmitOutcome } from '../../server/surveys/service';
import { createTestApp, seedUnit, seedUser, type TestApp } from '../support/app';

/**
 * The aggregates kept along the way (one transaction with each response) are
 * sufficient statistics of the raw rows: after any sequence of submissions,
 * through any channel, in any month, with N/A and skipped questions, flagged
 * and then counted or uncounted again, they equal a recomputation from
 * responses and response_answers written here with plain loops, and equal
 * what `rebuildAggregates()` makes.
 */

const START = Date.parse('2026-01-10T00:00:00Z');
const DAY = 86_400_000;
let now = new Date(START);
let t: TestApp;
let manager: CurrentUser;
let units: Unit[];
const channels: Channel[] = [];

beforeAll(async () => {
  t = await createTestApp({}, () => now);
  const agency = await seedUnit(t, { parentId: null, code: 'AG' });
  units = [agency, await seedUnit(t, { parentId: agency.id, code: 'AG-1' }), await seedUnit(t, { parentId: agency.id, code: 'AG-2' })];
  const user = await t.services.auth.currentUser((await seedUser(t, 'manager', agency.id)).id);
  if (!user) throw new Error('no manager');
  manager = user;
  const specs: [string, string, ChannelMode, Unit | undefined][] = [
    ['CITA01', 'citizen', 'personal', units[1]],
    ['CITK02', 'citizen', 'kiosk', units[2]],
    ['STAF03', 'staff', 'staff', agency],
    ['CASE04', 'case', 'personal', units[1]],
    ['CITA05', 'citizen', 'personal', units[2]],
  ];
  for (const [code, surveyKey, mode, unit] of specs) {
    if (!unit) throw new Error('no unit');
    await t.testDb.db('channels').insert({
      code, survey_key: surveyKey, unit_id: unit.id, counter_name: '', mode, kiosk_key: mode === 'kiosk' ? 'kiosk-key' : null,
      codes_required: false, active: true, created_by: null, created_at: new Date(START).toISOString(),
    });
    const channel = await t.services.surveys.channelByCode(code);
    if (!channel) throw new Error(`no channel ${code}`);
    channels.push(channel);
  }
}, 60_000);
afterAll(() => t.close());

// ---------- what a respondent may send ----------

/** What people write in the comment box, including texts that begin with "[" (a masked number, a tag). */
const COMMENTS = ['', '   ', '謝謝', '櫃檯人員很親切', '0912345678 請回電', '[建議] 多開一個窗口', '["a","b"]', 'A123456789', 'ok 😀'];

function answerArb(q: Question, survey: Survey, unitIds: string[]): fc.Arbitrary<string | undefined> {
  let given: fc.Arbitrary<string>;
  switch (q.type) {
    case 'likert': {
      const points = (survey.scales[q.scale]?.points ?? []).map((p) => String(p.value));
      given = fc.constantFrom(...points, ...(q.allowNA ? ['na', 'na'] : []));
      break;
    }
    case 'rating':
      given = fc.integer({ min: 0, max: 10 }).map(String);
      if (q.allowNA) given = fc.oneof(given, fc.constant('na'));
      break;
    case 'single':
    case 'demographic':
      given = fc.constantFrom(...q.options.map((o) => o.value));
      break;
    case 'multiple':
      // A single option as a plain string; the form would send several as a list, see bodyArb.
      given = fc.constantFrom(...q.options.map((o) => o.value));
      break;
    case 'text':
      given = fc.oneof(fc.constantFrom(...COMMENTS), fc.string({ maxLength: 40 }));
      break;
    case 'unit':
      given = fc.constantFrom(...unitIds);
      break;
  }
  return q.required ? given : fc.option(given, { nil: undefined, freq: 2 });
}

interface Submission {
  channel: number;
  body: Record<string, string>;
  /** One of three sources; each run gets its own three addresses (the service counts sources in memory). */
  source: number;
}

function submissionArb(index: number): fc.Arbitrary<Submission> {
  const channel = channels[index];
  if (!channel) throw new Error('no channel');
  const survey = t.services.surveys.survey(channel.surveyKey).survey;
  const unitIds = units.map((u) => String(u.id));
  const questions = survey.sections.flatMap((s) => s.questions);
  const answers = fc.tuple(...questions.map((q) => answerArb(q, survey, unitIds)));
  return fc.record({
    answers,
    honeypot: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    source: fc.integer({ min: 1, max: 3 }),
  }).map(({ answers: given, honeypot, source }) => {
    const body: Record<string, string> = {};
    questions.forEach((q, i) => {
      const a = given[i];
      if (a !== undefined) body[`q_${q.key}`] = a;
    });
    if (honeypot) body.website = 'http://spam.example';
    return { channel: index, body, source };
  });
}

type Op = { kind: 'submit'; stepMs: number; group: Submission[] } | { kind: 'toggle'; pick: number };

const stepArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10 * 60_000 }), fc.integer({ min: 1, max: 20 * DAY }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('submit' as const), stepMs: stepArb, group: fc.array(fc.integer({ min: 0, max: 4 }).chain(submissionArb), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat() }) },
);

// ---------- the independent recomputation ----------

interface ResponseRow {
  id: number;
  survey_version_id: number;
  channel_id: number;
  unit_id: number;
  month: string;
  submitted_at: string;
  flag: string | null;
  counted: boolean | number;
}
interface AnswerRow {
  response_id: number;
  question_key: string;
  value: string | null;
  text: string | null;
}

type Sums = Map<string, number>;
const add = (m: Sums, key: string, x: number) => m.set(key, (m.get(key) ?? 0) + x);
const sorted = (m: Sums): [string, number][] => [...m].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

async function recompute(): Promise<{ counts: [string, number][]; sections: [string, number][]; cells: [string, number][] }> {
  const db = t.testDb.db;
  const versions = new Map<number, Survey>();
  for (const v of (await db('survey_versions')) as { id: number; content: string }[]) versions.set(v.id, JSON.parse(v.content) as Survey);
  const answersOf = new Map<number, Map<string, AnswerRow>>();
  for (const a of (await db('response_answers')) as AnswerRow[]) {
    let m = answersOf.get(a.response_id);
    if (!m) {
      m = new Map();
      answersOf.set(a.response_id, m);
    }
    m.set(a.question_key, a);
  }
  const counts: Sums = new Map();
  const sections: Sums = new Map();
  const cells: Sums = new Map();
  for (const r of (await db('responses')) as ResponseRow[]) {
    if (!r.counted) continue;
    const survey = versions.get(r.survey_version_id);
    if (!survey) throw new Error(`response ${r.id}: unknown version`);
    const base = `${survey.key}|${r.channel_id}|${r.unit_id}|${r.month}`;
    const given = answersOf.get(r.id) ?? new Map<string, AnswerRow>();
    // Weighting cells: the respondent's sex and age band (the shipped surveys' weighting demographics), sorted by key.
    const questions = survey.sections.flatMap((s) => s.questions);
    const demographics = questions.filter((q) => q.type === 'demographic' && ['sex', 'age', 'district'].includes(q.dimension)).map((q) => q.key).sort();
    if (demographics.length > 0 && given.size > 0) {
      const cell = demographics.map((k) => `${k}=${given.get(k)?.value ?? ''}`).join(';');
      add(cells, `${base}|${cell}|#|#`, 1);
      for (const q of questions) {
        const a = given.get(q.key);
        if (q.type === 'likert' && a && a.value !== null) add(cells, `${base}|${cell}|${q.key}|${a.value}`, 1);
      }
    }
    for (const section of survey.sections) {
      for (const q of section.questions) {
        const a = given.get(q.key);
        if (!a) continue;
        if (q.type === 'text') {
          add(counts, `${base}|${q.key}|${TEXT_ANSWERED}`, 1);
        } else if (q.type === 'multiple') {
          for (const option of JSON.parse(a.text ?? '[]') as string[]) add(counts, `${base}|${q.key}|${option}`, 1);
        } else {
          add(counts, `${base}|${q.key}|${String(a.value)}`, 1);
        }
      }
      const items: string[] = [];
      const x: number[] = [];
      let complete = true;
      for (const q of section.questions) {
        if (q.type !== 'likert') continue;
        const a = given.get(q.key);
        if (!a || a.value === null || a.value === 'na') complete = false;
        items.push(q.key);
        x.push(Number(a?.value));
      }
      if (items.length === 0 || !complete) continue;
      const sk = `${base}|${section.key}`;
      add(sections, `${sk}|${SECTION_N}|${SECTION_N}`, 1);
      for (let i = 0; i < items.length; i += 1) {
        add(sections, `${sk}|${items[i]}|${ITEM_SUM}`, x[i] ?? NaN);
        for (let j = i; j < items.length; j += 1) add(sections, `${sk}|${items[i]}|${items[j]}`, (x[i] ?? NaN) * (x[j] ?? NaN));
      }
    }
  }
  return { counts: sorted(counts), sections: sorted(sections), cells: sorted(cells) };
}

async function stored(): Promise<{ counts: [string, number][]; sections: [string, number][]; cells: [string, number][]; zeroRows: number }> {
  const db = t.testDb.db;
  const counts: Sums = new Map();
  const sections: Sums = new Map();
  const cells: Sums = new Map();
  let zeroRows = 0;
  for (const r of (await db('agg_cells')) as { survey_key: string; channel_id: number; unit_id: number; month: string; cell: string; question_key: string; value: string; n: number }[]) {
    if (Number(r.n) === 0) zeroRows += 1;
    cells.set(`${r.survey_key}|${r.channel_id}|${r.unit_id}|${r.month}|${r.cell}|${r.question_key}|${r.value}`, Number(r.n));
  }
  for (const r of (await db('agg_counts')) as { survey_key: string; channel_id: number; unit_id: number; month: string; question_key: string; value: string; n: number }[]) {
    if (Number(r.n) === 0) zeroRows += 1;
    counts.set(`${r.survey_key}|${r.channel_id}|${r.unit_id}|${r.month}|${r.question_key}|${r.value}`, Number(r.n));
  }
  for (const r of (await db('agg_sections')) as { survey_key: string; channel_id: number; unit_id: number; month: string; section_key: string; item_i: string; item_j: string; sum: number }[]) {
    if (Number(r.sum) === 0) zeroRows += 1;
    sections.set(`${r.survey_key}|${r.channel_id}|${r.unit_id}|${r.month}|${r.section_key}|${r.item_i}|${r.item_j}`, Number(r.sum));
  }
  return { counts: sorted(counts), sections: sorted(sections), cells: sorted(cells), zeroRows };
}

async function reset(): Promise<void> {
  const db = t.testDb.db;
  await db('response_answers').delete();
  await db('responses').delete();
  await db('agg_counts').delete();
  await db('agg_sections').delete();
  await db('agg_cells').delete();
}

const taiwanMonth = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 7);

// ---------- the property ----------

test('stored aggregates equal a recomputation from the raw rows, and a rebuild, after any sequence of submissions', async () => {
  let runs = 0;
  let storedTotal = 0;
  let flaggedTotal = 0;
  let toggles = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
      runs += 1;
      await reset();
      now = new Date(START);
      /** What the test expects of each stored response: counted, and its unit. */
      const expected = new Map<number, { counted: boolean; unitId: number; submittedAt: string }>();
      for (const op of ops) {
        if (op.kind === 'toggle') {
          const flagged = await t.services.surveys.flagged(manager);
          const item = flagged.sort((a, b) => a.id - b.id)[op.pick % Math.max(1, flagged.length)];
          if (!item) continue;
          const e = expected.get(item.id);
          if (!e) throw new Error(`flagged response ${item.id} was not submitted here`);
          await t.services.surveys.setCounted(manager, item.id, !e.counted);
          e.counted = !e.counted;
          toggles += 1;
          continue;
        }
        now = new Date(now.getTime() + op.stepMs);
        // Submissions of one group arrive together and are written by one group commit.
        const outcomes: SubmitOutcome[] = await Promise.all(
          op.group.map((s) => {
            const channel = channels[s.channel];
            if (!channel) throw new Error('no channel');
            return t.services.surveys.submit(channel, s.body, { ip: `10.${runs % 256}.${Math.floor(runs / 256)}.${s.source}` });
          }),
        );
        // A submission is answered with its response's reference; the stored row has the id the rest goes by.
        const refs = outcomes.flatMap((o) => (o.kind === 'stored' ? [o.ref] : []));
        const idOf = new Map(((await t.testDb.db('responses').whereIn('ref', refs).select('id', 'ref')) as { id: number; ref: string }[]).map((r) => [r.ref, r.id]));
        outcomes.forEach((outcome, i) => {
          const s = op.group[i];
          const channel = s && channels[s.channel];
          if (!s || !channel) throw new Error('no submission');
          // Every generated body is valid: the only refusals are the kiosk's minimum gap and the source limit.
          expect(['stored', 'tooFast', 'tooMany']).toContain(outcome.kind);
          if (outcome.kind !== 'stored') return;
          storedTotal += 1;
          if (outcome.flagged) flaggedTotal += 1;
          const unitId = channel.mode === 'staff' ? Number(s.body.q_unit ?? 0) : channel.unitId;
          const id = idOf.get(outcome.ref);
          if (id === undefined) throw new Error(`stored response ${outcome.ref} is not in the database`);
          expected.set(id, { counted: !outcome.flagged, unitId, submittedAt: now.toISOString() });
        });
      }

      const responses = (await t.testDb.db('responses').orderBy('id')) as ResponseRow[];
      expect(responses.map((r) => r.id)).toEqual([...expected.keys()].sort((a, b) => a - b));
      for (const r of responses) {
        const e = expected.get(r.id);
        expect({ counted: Boolean(r.counted), unitId: r.unit_id, submittedAt: r.submitted_at, month: r.month }).toEqual({
          counted: e?.counted,
          unitId: e?.unitId,
          submittedAt: e?.submittedAt,
          month: taiwanMonth(e?.submittedAt ?? ''),
        });
      }

      const want = await recompute();
      const kept = await stored();
      expect(kept.counts).toEqual(want.counts);
      expect(kept.sections).toEqual(want.sections);
      expect(kept.cells).toEqual(want.cells);

      await t.services.surveys.rebuildAggregates();
      const rebuilt = await stored();
      expect(rebuilt.counts).toEqual(want.counts);
      expect(rebuilt.sections).toEqual(want.sections);
      expect(rebuilt.cells).toEqual(want.cells);
      expect(rebuilt.zeroRows).toBe(0);
    }),
    { numRuns: 50 },
  );
  // The generator really exercised what it is meant to.
  expect(runs).toBeGreaterThanOrEqual(50);
  expect(storedTotal).toBeGreaterThan(200);
  expect(flaggedTotal).toBeGreaterThan(0);
  expect(toggles).toBeGreaterThan(0);
}, 120_000);
