import path from 'node:path';
import { deltaOf, Deltas, ITEM_SUM, SECTION_N, TEXT_ANSWERED, type CountDelta, type SectionDelta } from '../../server/surveys/aggregate';
import { loadSurveys, surveySchema, type Survey } from '../../server/surveys/definition';
import { MASKS } from '../../server/surveys/mask';
import type { Answers, StoredAnswer } from '../../server/surveys/submission';

const shipped = new Map(loadSurveys(path.resolve(__dirname, '../../surveys')).map((v) => [v.survey.key, v.survey]));
function surveyNamed(key: string): Survey {
  const s = shipped.get(key);
  if (!s) throw new Error(`no ${key} survey`);
  return s;
}
const citizen = surveyNamed('citizen');
const staff = surveyNamed('staff');
const caseSurvey = surveyNamed('case');

const v = (value: string): StoredAnswer => ({ value, text: null });
const txt = (text: string): StoredAnswer => ({ value: null, text });
const answers = (entries: Record<string, StoredAnswer>): Answers => new Map(Object.entries(entries));

const byCount = (a: CountDelta, b: CountDelta) => `${a.questionKey}\u0000${a.value}`.localeCompare(`${b.questionKey}\u0000${b.value}`);
const bySection = (a: SectionDelta, b: SectionDelta) => `${a.sectionKey}\u0000${a.itemI}\u0000${a.itemJ}`.localeCompare(`${b.sectionKey}\u0000${b.itemI}\u0000${b.itemJ}`);
const c = (questionKey: string, value: string): CountDelta => ({ questionKey, value });
const s = (sectionKey: string, itemI: string, itemJ: string, sum: number): SectionDelta => ({ sectionKey, itemI, itemJ, sum });

describe('what one citizen response adds', () => {
  // environment 5, 4, 3 (complete); courtesy 5, 4 (complete); professionalism: efficiency missing;
  // measures: online N/A; overall 5 (complete, the rating is not a Likert item); about: two answers.
  const response = answers({
    'env.clean': v('5'),
    'env.signs': v('4'),
    'env.facilities': v('3'),
    'cour.attitude': v('5'),
    'cour.attention': v('4'),
    'prof.knowledge': v('4'),
    'meas.online': v('na'),
    'meas.forms': v('2'),
    overall: v('5'),
    recommend: v('9'),
    sex: v('female'),
    comment: txt(`很好，請打 ${MASKS.phone}`),
  });
  const delta = deltaOf(citizen, response);

  test('one count per answered question and value; N/A counts as its own value, text as answered', () => {
    expect([...delta.counts].sort(byCount)).toEqual(
      [
        c('env.clean', '5'),
        c('env.signs', '4'),
        c('env.facilities', '3'),
        c('cour.attitude', '5'),
        c('cour.attention', '4'),
        c('prof.knowledge', '4'),
        c('meas.online', 'na'),
        c('meas.forms', '2'),
        c('overall', '5'),
        c('recommend', '9'),
        c('sex', 'female'),
        c('comment', TEXT_ANSWERED),
      ].sort(byCount),
    );
  });

  test('complete sections add n = 1, each item, and every product i ≤ j (squares on the diagonal)', () => {
    expect([...delta.sections].sort(bySection)).toEqual(
      [
        s('environment', SECTION_N, SECTION_N, 1),
        s('environment', 'env.clean', ITEM_SUM, 5),
        s('environment', 'env.signs', ITEM_SUM, 4),
        s('environment', 'env.facilities', ITEM_SUM, 3),
        s('environment', 'env.clean', 'env.clean', 25),
        s('environment', 'env.clean', 'env.signs', 20),
        s('environment', 'env.clean', 'env.facilities', 15),
        s('environment', 'env.signs', 'env.signs', 16),
        s('environment', 'env.signs', 'env.facilities', 12),
        s('environment', 'env.facilities', 'env.facilities', 9),
        s('courtesy', SECTION_N, SECTION_N, 1),
        s('courtesy', 'cour.attitude', ITEM_SUM, 5),
        s('courtesy', 'cour.attention', ITEM_SUM, 4),
        s('courtesy', 'cour.attitude', 'cour.attitude', 25),
        s('courtesy', 'cour.attitude', 'cour.attention', 20),
        s('courtesy', 'cour.attention', 'cour.attention', 16),
        s('overall', SECTION_N, SECTION_N, 1),
        s('overall', 'overall', ITEM_SUM, 5),
        s('overall', 'overall', 'overall', 25),
      ].sort(bySection),
    );
  });

  test('the pairs are in the section order only (never j before i)', () => {
    const env = delta.sections.filter((d) => d.sectionKey === 'environment' && d.itemJ !== ITEM_SUM && d.itemI !== SECTION_N);
    expect(env.map((d) => `${d.itemI}×${d.itemJ}`)).toEqual([
      'env.clean×env.clean',
      'env.clean×env.signs',
      'env.clean×env.facilities',
      'env.signs×env.signs',
      'env.signs×env.facilities',
      'env.facilities×env.facilities',
    ]);
  });

  test('the weighting cell: sex and age band (age not given), the respondent and every Likert answer including N/A', () => {
    expect(delta.cells.map((x) => `${x.cell}|${x.questionKey}|${x.value}`).sort()).toEqual(
      [
        'age=;sex=female|#|#',
        'age=;sex=female|env.clean|5',
        'age=;sex=female|env.signs|4',
        'age=;sex=female|env.facilities|3',
        'age=;sex=female|cour.attitude|5',
        'age=;sex=female|cour.attention|4',
        'age=;sex=female|prof.knowledge|4',
        'age=;sex=female|meas.online|na',
        'age=;sex=female|meas.forms|2',
        'age=;sex=female|overall|5',
      ].sort(),
    );
  });

  test('a section with a missing item or an N/A item adds nothing', () => {
    expect(delta.sections.filter((d) => d.sectionKey === 'professionalism' || d.sectionKey === 'measures')).toEqual([]);
    expect(delta.sections.filter((d) => d.sectionKey === 'about')).toEqual([]);
  });

  test('an empty response adds nothing at all', () => {
    expect(deltaOf(citizen, new Map())).toEqual({ counts: [], sections: [], cells: [] });
  });
});

describe('other surveys', () => {
  test('a petition: one section of five items gives 1 + 5 + 15 sums', () => {
    const x = { 'case.timeliness': 1, 'case.clarity': 2, 'case.attitude': 3, 'case.outcome': 4, overall: 5 };
    const delta = deltaOf(caseSurvey, answers(Object.fromEntries(Object.entries(x).map(([k, n]) => [k, v(String(n))]))));
    expect(delta.sections).toHaveLength(21);
    const get = (i: string, j: string) => delta.sections.find((d) => d.itemI === i && d.itemJ === j)?.sum;
    expect(get(SECTION_N, SECTION_N)).toBe(1);
    expect(get('case.clarity', ITEM_SUM)).toBe(2);
    expect(get('case.clarity', 'case.outcome')).toBe(8);
    expect(get('case.outcome', 'case.clarity')).toBeUndefined();
    expect(get('case.attitude', 'overall')).toBe(15);
    expect(get('overall', 'overall')).toBe(25);
    // The sum of all products over i ≤ j: (Σx² + (Σx)²) / 2 = (55 + 225) / 2.
    expect(delta.sections.filter((d) => d.itemJ !== ITEM_SUM && d.itemI !== SECTION_N).reduce((sum, d) => sum + d.sum, 0)).toBe(140);
  });

  test('a staff member who names a unit: the unit id is counted like any other answer', () => {
    const delta = deltaOf(
      staff,
      answers({
        'work.space': v('6'), 'work.safety': v('1'), 'lead.direction': v('2'), 'lead.fairness': v('2'), 'train.access': v('3'),
        'train.useful': v('6'), 'comm.info': v('5'), 'comm.voice': v('4'), overall: v('6'), unit: v('42'),
      }),
    );
    expect(delta.counts).toContainEqual(c('unit', '42'));
    // The staff survey asks no sex or age: nothing to weight by, so no cells.
    expect(delta.cells).toEqual([]);
    const workplace = delta.sections.filter((d) => d.sectionKey === 'workplace');
    expect(workplace.sort(bySection)).toEqual(
      [
        s('workplace', SECTION_N, SECTION_N, 1),
        s('workplace', 'work.space', ITEM_SUM, 6),
        s('workplace', 'work.safety', ITEM_SUM, 1),
        s('workplace', 'work.space', 'work.space', 36),
        s('workplace', 'work.space', 'work.safety', 6),
        s('workplace', 'work.safety', 'work.safety', 1),
      ].sort(bySection),
    );
    expect(delta.sections.filter((d) => d.itemI === SECTION_N).map((d) => d.sectionKey)).toEqual(['workplace', 'leadership', 'training', 'communication', 'overall']);
  });
});

describe('multiple choice and free text', () => {
  const t = (x: string) => ({ 'zh-TW': x, en: x });
  const survey = surveySchema.parse({
    key: 'choices',
    kind: 'citizen',
    title: t('choices'),
    intro: t('choices'),
    scales: { s4: { points: [4, 3, 2, 1].map((value) => ({ value, label: t(String(value)) })), satisfied: [4] } },
    sections: [
      {
        key: 'only',
        title: t('only'),
        questions: [
          { key: 'channels', type: 'multiple', options: ['web', 'phone', 'counter'].map((value) => ({ value, label: t(value) })), text: t('how') },
          { key: 'note', type: 'text', required: false, text: t('note') },
        ],
      },
    ],
  });

  test('each chosen option of a multiple-choice question counts once', () => {
    expect(deltaOf(survey, answers({ channels: txt('["counter","web"]') })).counts).toEqual([c('channels', 'counter'), c('channels', 'web')]);
  });

  test('a section without Likert items has no section sums', () => {
    expect(deltaOf(survey, answers({ channels: txt('["web"]'), note: txt('ok') })).sections).toEqual([]);
  });

  // Free text is whatever the person wrote (masked): it may begin with "[", e.g. a masked phone number
  // at the start, or look like a list. It is one answered text, never a list of options.
  test.each([
    [`${MASKS.phone} 請回電`],
    ['[建議] 多開一個窗口'],
    ['["web","phone"]'],
    ['[]'],
    ['[1, 2]'],
  ])('the text %j counts as one answered text', (text) => {
    expect(deltaOf(survey, answers({ note: txt(text) })).counts).toEqual([c('note', TEXT_ANSWERED)]);
    expect(deltaOf(citizen, answers({ comment: txt(text) })).counts).toEqual([c('comment', TEXT_ANSWERED)]);
  });
});

describe('merging many responses into rows to write (Deltas)', () => {
  const key = { surveyKey: 'citizen', channelId: 7, unitId: 3, month: '2026-12' };
  const delta = (counts: CountDelta[], sections: SectionDelta[] = []) => ({ counts, sections, cells: [] });

  test('the same key adds up into one row; other values, questions and units get rows of their own', () => {
    const d = new Deltas();
    d.add(key, delta([c('overall', '5'), c('env.clean', '4')], [s('courtesy', SECTION_N, SECTION_N, 1), s('courtesy', 'cour.attitude', ITEM_SUM, 5)]), 1);
    d.add(key, delta([c('overall', '5'), c('env.clean', '3')], [s('courtesy', SECTION_N, SECTION_N, 1), s('courtesy', 'cour.attitude', ITEM_SUM, 4)]), 1);
    d.add({ ...key, unitId: 4 }, delta([c('overall', '5')]), 1);
    const base = { survey_key: 'citizen', channel_id: 7, unit_id: 3, month: '2026-12' };
    expect(d.rows('counts')).toEqual([
      { ...base, question_key: 'overall', value: '5', n: 2 },
      { ...base, question_key: 'env.clean', value: '4', n: 1 },
      { ...base, question_key: 'env.clean', value: '3', n: 1 },
      { ...base, unit_id: 4, question_key: 'overall', value: '5', n: 1 },
    ]);
    expect(d.rows('sections')).toEqual([
      { ...base, section_key: 'courtesy', item_i: SECTION_N, item_j: SECTION_N, sum: 2 },
      { ...base, section_key: 'courtesy', item_i: 'cour.attitude', item_j: ITEM_SUM, sum: 9 },
    ]);
    expect(d.rows('cells')).toEqual([]);
  });

  test('sign −1 takes a response away (a manager excludes it): what it added, negated', () => {
    const d = new Deltas();
    d.add(key, delta([c('overall', '4')], [s('courtesy', 'cour.attitude', 'cour.attention', 20)]), -1);
    expect(d.rows('counts')).toEqual([{ survey_key: 'citizen', channel_id: 7, unit_id: 3, month: '2026-12', question_key: 'overall', value: '4', n: -1 }]);
    expect(d.rows('sections')).toEqual([{ survey_key: 'citizen', channel_id: 7, unit_id: 3, month: '2026-12', section_key: 'courtesy', item_i: 'cour.attitude', item_j: 'cour.attention', sum: -20 }]);
  });

  test('keys made of the same parts in other places do not collide', () => {
    const d = new Deltas();
    // Joined without a separator, "q1" + "1" and "q11" + "" would be one key.
    d.add(key, delta([c('q1', '1'), c('q11', '')]), 1);
    d.add(key, delta([c('q1', '1'), c('q1', '1')]), 1);
    expect(d.rows('counts').map((r) => [r.question_key, r.value, r.n])).toEqual([
      ['q1', '1', 3],
      ['q11', '', 1],
    ]);
  });
});
