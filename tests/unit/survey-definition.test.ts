import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  comparabilityKey,
  loadSurveys,
  questionsOf,
  surveySchema,
  SurveyDefinitionError,
  surveyVersion,
  type Question,
  type Survey,
} from '../../server/surveys/definition';

const SURVEYS_DIR = path.resolve(__dirname, '../../surveys');

type Json = Record<string, unknown>;

const readShipped = (name: string): Json => JSON.parse(fs.readFileSync(path.join(SURVEYS_DIR, `${name}.json`), 'utf8')) as Json;

/** A copy of a shipped file's JSON, to be changed one way per test. */
const shipped = (name: string): Json => structuredClone(readShipped(name));

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the given files into a fresh folder and loads it. */
function loadFiles(files: Record<string, unknown>): ReturnType<typeof loadSurveys> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'survey-def-'));
  tmpDirs.push(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return loadSurveys(dir);
}

/** The message loadSurveys throws for these files (fails the test if it loads). */
function refusal(files: Record<string, unknown>): string {
  try {
    loadFiles(files);
  } catch (err) {
    expect(err).toBeInstanceOf(SurveyDefinitionError);
    return (err as Error).message;
  }
  throw new Error('the definition was accepted');
}

interface RawSection {
  key: string;
  questions: Json[];
}
const sectionsOf = (raw: Json): RawSection[] => raw.sections as RawSection[];
const scalesOf = (raw: Json): Record<string, { points: Json[]; satisfied: number[] }> => raw.scales as Record<string, { points: Json[]; satisfied: number[] }>;

function firstSection(raw: Json): RawSection {
  const s = sectionsOf(raw)[0];
  if (!s) throw new Error('no section');
  return s;
}

/** Every object's keys in reverse order, recursively (arrays keep their order: it is content). */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}

function question(survey: Survey, key: string): Question {
  const q = questionsOf(survey).find((x) => x.key === key);
  if (!q) throw new Error(`no question ${key}`);
  return q;
}

const parse = (raw: Json): Survey => surveySchema.parse(raw);

describe('the shipped surveys', () => {
  const loaded = loadSurveys(SURVEYS_DIR);
  const byKey = new Map(loaded.map((v) => [v.survey.key, v]));

  test('the folder holds exactly citizen, staff and case (schema.json and sub-folders are not surveys)', () => {
    expect([...byKey.keys()].sort()).toEqual(['case', 'citizen', 'staff']);
  });

  test.each([
    ['citizen', 'citizen', 'sat5', 5, [4, 5], 10, 15],
    ['staff', 'staff', 'agree6', 6, [5, 6], 9, 11],
    ['case', 'case', 'sat5', 5, [4, 5], 5, 6],
  ])('%s: kind %s, scale %s with %i points, satisfied %j, %i Likert items of %i questions', (key, kind, scaleKey, points, satisfied, likert, all) => {
    const v = byKey.get(key);
    if (!v) throw new Error(`${key} not loaded`);
    expect(v.survey.kind).toBe(kind);
    expect(v.survey.anonymous).toBe(true);
    expect(Object.keys(v.survey.scales)).toEqual([scaleKey]);
    const scale = v.survey.scales[scaleKey];
    expect(scale?.points.map((p) => p.value)).toEqual(Array.from({ length: points }, (_, i) => points - i));
    expect(scale?.satisfied).toEqual(satisfied);
    const questions = questionsOf(v.survey);
    expect(questions).toHaveLength(all);
    expect(questions.filter((q) => q.type === 'likert')).toHaveLength(likert);
    expect(v.version).toMatch(/^[0-9a-f]{16}$/);
    expect(v.version).toBe(surveyVersion(v.survey));
  });

  test('every scale has 4 to 7 points and its satisfied points are on it; every Likert item names a scale of its survey', () => {
    for (const { survey } of loaded) {
      for (const scale of Object.values(survey.scales)) {
        expect(scale.points.length).toBeGreaterThanOrEqual(4);
        expect(scale.points.length).toBeLessThanOrEqual(7);
        for (const s of scale.satisfied) expect(scale.points.map((p) => p.value)).toContain(s);
      }
      for (const q of questionsOf(survey)) if (q.type === 'likert') expect(survey.scales[q.scale]).toBeDefined();
    }
  });

  test('defaults are filled in: questions required unless said otherwise, N/A only where allowed', () => {
    const citizen = byKey.get('citizen')?.survey;
    if (!citizen) throw new Error('no citizen survey');
    expect(question(citizen, 'overall')).toMatchObject({ required: true, allowNA: false });
    expect(question(citizen, 'env.facilities')).toMatchObject({ required: true, allowNA: true });
    expect(question(citizen, 'recommend')).toMatchObject({ type: 'rating', required: false, allowNA: false });
    expect(question(citizen, 'comment')).toMatchObject({ type: 'text', required: false, maxLength: 500 });
    const staff = byKey.get('staff')?.survey;
    if (!staff) throw new Error('no staff survey');
    expect(question(staff, 'unit')).toMatchObject({ type: 'unit', required: false });
    expect(question(staff, 'comment')).toMatchObject({ type: 'text', maxLength: 1000 });
  });

  test('the three surveys have three different versions', () => {
    expect(new Set(loaded.map((v) => v.version)).size).toBe(3);
  });
});

describe('invalid definitions are refused with a message naming the problem', () => {
  test('a question key used twice', () => {
    const raw = shipped('citizen');
    const s = firstSection(raw);
    s.questions.push({ ...s.questions[0], text: { 'zh-TW': '重複', en: 'Again' } });
    const message = refusal({ 'citizen.json': raw });
    expect(message).toContain('citizen.json is not a valid survey');
    expect(message).toContain('question key "env.clean" is used twice');
  });

  test('a key used twice across sections', () => {
    const raw = shipped('citizen');
    const last = sectionsOf(raw).at(-1);
    last?.questions.push({ key: 'cour.attitude', type: 'likert', scale: 'sat5', text: { 'zh-TW': '態度', en: 'Attitude' } });
    expect(refusal({ 'citizen.json': raw })).toContain('question key "cour.attitude" is used twice');
  });

  test('a Likert item on an unknown scale', () => {
    const raw = shipped('citizen');
    const q = firstSection(raw).questions[1];
    if (q) q.scale = 'sat7';
    expect(refusal({ 'citizen.json': raw })).toContain('question "env.signs" uses the unknown scale "sat7"');
  });

  test('a satisfied point that is not on the scale', () => {
    const raw = shipped('citizen');
    const sat5 = scalesOf(raw).sat5;
    if (sat5) sat5.satisfied = [5, 6];
    const message = refusal({ 'citizen.json': raw });
    expect(message).toContain('scales.sat5');
    expect(message).toContain('satisfied points must be points of the scale');
  });

  test('a staff survey that is not anonymous', () => {
    const raw = shipped('staff');
    raw.anonymous = false;
    expect(refusal({ 'staff.json': raw })).toContain('a staff survey must be anonymous');
  });

  test('a citizen survey may name itself not anonymous (only staff surveys must be)', () => {
    const raw = shipped('citizen');
    raw.anonymous = false;
    expect(loadFiles({ 'citizen.json': raw })[0]?.survey.anonymous).toBe(false);
  });

  test('a 3-point scale, and an 8-point one', () => {
    const three = shipped('citizen');
    const sat5 = scalesOf(three).sat5;
    if (!sat5) throw new Error('no sat5');
    sat5.points = sat5.points.slice(0, 3);
    sat5.satisfied = [5];
    const message = refusal({ 'citizen.json': three });
    expect(message).toContain('scales.sat5.points');
    expect(message).toMatch(/>=\s*4/);

    const eight = shipped('citizen');
    const big = scalesOf(eight).sat5;
    if (!big) throw new Error('no sat5');
    big.points = [8, 7, 6, 5, 4, 3, 2, 1].map((value) => ({ value, label: { 'zh-TW': String(value), en: String(value) } }));
    const tooMany = refusal({ 'citizen.json': eight });
    expect(tooMany).toContain('scales.sat5.points');
    expect(tooMany).toMatch(/<=\s*7/);
  });

  test('4- and 7-point scales are accepted', () => {
    for (const n of [4, 7]) {
      const raw = shipped('case');
      const sat5 = scalesOf(raw).sat5;
      if (!sat5) throw new Error('no sat5');
      sat5.points = Array.from({ length: n }, (_, i) => ({ value: n - i, label: { 'zh-TW': String(n - i), en: String(n - i) } }));
      sat5.satisfied = [n];
      expect(loadFiles({ 'case.json': raw })[0]?.survey.scales.sat5?.points).toHaveLength(n);
    }
  });

  test('two points with the same value', () => {
    const raw = shipped('citizen');
    const sat5 = scalesOf(raw).sat5;
    const p = sat5?.points[4];
    if (p) p.value = 2;
    expect(refusal({ 'citizen.json': raw })).toContain('scale values must differ');
  });

  test('two files defining the same survey key', () => {
    const copy = shipped('citizen');
    const t = copy.title as Json;
    t.en = 'A second citizen survey';
    const message = refusal({ 'a.json': readShipped('citizen'), 'b.json': copy });
    expect(message).toMatch(/a\.json and .*b\.json both define the survey "citizen"|b\.json and .*a\.json both define the survey "citizen"/);
  });

  test('a file that is not JSON', () => {
    expect(refusal({ 'broken.json': '{ "key": "citizen", ' })).toMatch(/broken\.json: not JSON/);
  });

  test('an unknown field, a bad key and an unknown question type are each named by their path', () => {
    const extra = shipped('citizen');
    extra.colour = 'blue';
    expect(refusal({ 'citizen.json': extra })).toContain('colour');

    const badKey = shipped('citizen');
    const q = firstSection(badKey).questions[0];
    if (q) q.key = 'Env Clean';
    expect(refusal({ 'citizen.json': badKey })).toContain('sections.0.questions.0.key');

    const badType = shipped('citizen');
    const q2 = firstSection(badType).questions[0];
    if (q2) q2.type = 'slider';
    expect(refusal({ 'citizen.json': badType })).toContain('sections.0.questions.0');
  });
});

describe('versions', () => {
  const original = loadSurveys(SURVEYS_DIR);
  const versionOf = (key: string) => original.find((v) => v.survey.key === key)?.version;

  test.each(['citizen', 'staff', 'case'])('%s: the same version whatever the key order, whitespace or $schema', (key) => {
    const reordered = reverseKeys(readShipped(key)) as Json;
    delete reordered.$schema;
    const [compact] = loadFiles({ [`${key}.json`]: JSON.stringify(reordered) });
    expect(compact?.version).toBe(versionOf(key));
    const [spaced] = loadFiles({ [`${key}.json`]: `\n\n${JSON.stringify(readShipped(key), null, 8)}\n\n` });
    expect(spaced?.version).toBe(versionOf(key));
  });

  test('spelling out a default does not make a new version (the content is the same)', () => {
    const raw = shipped('citizen');
    const q = firstSection(raw).questions[0];
    if (q) Object.assign(q, { required: true, allowNA: false });
    expect(loadFiles({ 'citizen.json': raw })[0]?.version).toBe(versionOf('citizen'));
  });

  test.each<[string, (raw: Json) => void]>([
    ['a question text', (raw) => { const q = firstSection(raw).questions[0]; if (q) q.text = { 'zh-TW': '環境整潔', en: 'The office is clean' }; }],
    ['a scale label', (raw) => { const p = scalesOf(raw).sat5?.points[0]; if (p) p.label = { 'zh-TW': '很滿意', en: 'Very satisfied' }; }],
    ['the satisfied points', (raw) => { const s = scalesOf(raw).sat5; if (s) s.satisfied = [5]; }],
    ['the order of the questions', (raw) => firstSection(raw).questions.reverse()],
    ['N/A allowed', (raw) => { const q = firstSection(raw).questions[0]; if (q) q.allowNA = true; }],
    ['a question made optional', (raw) => { const q = firstSection(raw).questions[0]; if (q) q.required = false; }],
    ['the intro', (raw) => { raw.intro = { 'zh-TW': '謝謝', en: 'Thanks' }; }],
  ])('changing %s makes a new version', (_what, change) => {
    const raw = shipped('citizen');
    change(raw);
    const [changed] = loadFiles({ 'citizen.json': raw });
    expect(changed?.version).toMatch(/^[0-9a-f]{16}$/);
    expect(changed?.version).not.toBe(versionOf('citizen'));
  });
});

describe('comparabilityKey', () => {
  const citizen = parse(shipped('citizen'));

  /** A later version of the citizen survey: other wording, labels and scale name, the same points. */
  function reworded(): Survey {
    const raw = shipped('citizen');
    raw.title = { 'zh-TW': '民眾滿意度調查（新版）', en: 'Citizen survey (new)' };
    const scales = scalesOf(raw);
    const sat5 = scales.sat5;
    if (!sat5) throw new Error('no sat5');
    sat5.points = sat5.points.map((p) => ({ ...p, label: { 'zh-TW': `第${String(p.value)}級`, en: `Level ${String(p.value)}` } }));
    raw.scales = { satisfaction: sat5 };
    for (const s of sectionsOf(raw)) {
      for (const q of s.questions) {
        if (q.type === 'likert') q.scale = 'satisfaction';
        q.text = { 'zh-TW': `新版：${String((q.text as Json)['zh-TW'])}`, en: `New: ${String((q.text as Json).en)}` };
      }
    }
    return parse(raw);
  }

  test('the same key and scale in two versions are comparable, whatever the wording, labels or scale name', () => {
    const later = reworded();
    expect(surveyVersion(later)).not.toBe(surveyVersion(citizen));
    for (const q of questionsOf(citizen)) {
      expect(comparabilityKey(later, question(later, q.key))).toBe(comparabilityKey(citizen, q));
    }
  });

  test('different keys on the same scale are not comparable', () => {
    expect(comparabilityKey(citizen, question(citizen, 'env.clean'))).not.toBe(comparabilityKey(citizen, question(citizen, 'env.signs')));
  });

  test.each<[string, (scale: { points: Json[]; satisfied: number[] }) => void]>([
    ['a 7-point scale', (s) => { s.points = [7, 6, 5, 4, 3, 2, 1].map((value) => ({ value, label: { 'zh-TW': String(value), en: String(value) } })); s.satisfied = [6, 7]; }],
    ['a 4-point scale', (s) => { s.points = s.points.slice(0, 4); s.satisfied = [4, 5]; }],
    ['other satisfied points', (s) => { s.satisfied = [5]; }],
    ['other point values', (s) => { s.points = s.points.map((p) => ({ ...p, value: Number(p.value) - 1 })); s.satisfied = [3, 4]; }],
  ])('changing the scale to %s makes a question incomparable', (_what, change) => {
    const raw = shipped('citizen');
    const sat5 = scalesOf(raw).sat5;
    if (!sat5) throw new Error('no sat5');
    change(sat5);
    const changed = parse(raw);
    expect(comparabilityKey(changed, question(changed, 'overall'))).not.toBe(comparabilityKey(citizen, question(citizen, 'overall')));
    // Questions that do not use the scale stay comparable.
    expect(comparabilityKey(changed, question(changed, 'recommend'))).toBe(comparabilityKey(citizen, question(citizen, 'recommend')));
    expect(comparabilityKey(changed, question(changed, 'sex'))).toBe(comparabilityKey(citizen, question(citizen, 'sex')));
  });

  test('the satisfied points are a set: listing them in another order keeps the scale (and its questions) comparable', () => {
    const raw = shipped('citizen');
    const sat5 = scalesOf(raw).sat5;
    if (!sat5) throw new Error('no sat5');
    sat5.satisfied = [5, 4];
    const same = parse(raw);
    expect(comparabilityKey(same, question(same, 'overall'))).toBe(comparabilityKey(citizen, question(citizen, 'overall')));
  });

  test('changing the options of a choice question makes it incomparable', () => {
    const raw = shipped('citizen');
    const about = sectionsOf(raw).find((s) => s.key === 'about');
    const sex = about?.questions.find((q) => q.key === 'sex');
    if (!sex) throw new Error('no sex question');
    sex.options = (sex.options as Json[]).slice(0, 2);
    const changed = parse(raw);
    expect(comparabilityKey(changed, question(changed, 'sex'))).not.toBe(comparabilityKey(citizen, question(citizen, 'sex')));
  });

  test('the same key with another type is not comparable', () => {
    const raw = shipped('citizen');
    const overallSection = sectionsOf(raw).find((s) => s.key === 'overall');
    const overall = overallSection?.questions.find((q) => q.key === 'overall');
    if (!overall) throw new Error('no overall');
    overall.type = 'rating';
    delete overall.scale;
    const changed = parse(raw);
    expect(comparabilityKey(changed, question(changed, 'overall'))).not.toBe(comparabilityKey(citizen, question(citizen, 'overall')));
  });
});
