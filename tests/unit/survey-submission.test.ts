import path from 'node:path';
import { loadSurveys, surveySchema, type Survey } from '../../server/surveys/definition';
import { MASKS } from '../../server/surveys/mask';
import { NA, parseSubmission, type Answers, type StoredAnswer } from '../../server/surveys/submission';

const t = (s: string) => ({ 'zh-TW': s, en: s });
const options = (...values: string[]) => values.map((value) => ({ value, label: t(value) }));

/** One question of every type, with the rules each can carry. */
const survey: Survey = surveySchema.parse({
  key: 'every-type',
  kind: 'citizen',
  title: t('Every type'),
  intro: t('intro'),
  scales: {
    agree4: { points: [4, 3, 2, 1].map((value) => ({ value, label: t(String(value)) })), satisfied: [3, 4] },
  },
  sections: [
    {
      key: 'likert',
      title: t('Likert'),
      questions: [
        { key: 'l.plain', type: 'likert', scale: 'agree4', text: t('plain') },
        { key: 'l.na', type: 'likert', scale: 'agree4', allowNA: true, text: t('with N/A') },
        { key: 'l.optional', type: 'likert', scale: 'agree4', required: false, text: t('optional') },
      ],
    },
    {
      key: 'other',
      title: t('Other'),
      questions: [
        { key: 'pick', type: 'single', options: options('a', 'b', 'c'), text: t('single') },
        { key: 'many', type: 'multiple', options: options('x', 'y', 'z'), max: 2, required: false, text: t('multiple') },
        { key: 'any', type: 'multiple', options: options('p', 'q'), required: false, text: t('multiple without max') },
        { key: 'nps', type: 'rating', required: false, text: t('rating') },
        { key: 'nps.na', type: 'rating', allowNA: true, required: false, text: t('rating with N/A') },
        { key: 'note', type: 'text', maxLength: 40, required: false, text: t('text') },
        { key: 'age', type: 'demographic', dimension: 'age', options: options('young', 'old'), required: false, text: t('age') },
        { key: 'unit', type: 'unit', required: false, text: t('unit') },
      ],
    },
  ],
});

const UNITS: ReadonlySet<number> = new Set([7, 12]);
const REQUIRED = { 'q_l.plain': '4', 'q_l.na': '3', q_pick: 'a' };

type Result = ReturnType<typeof parseSubmission>;

function answersOf(result: Result): Answers {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.answers;
}

const parse = (fields: Record<string, unknown>) => parseSubmission(survey, { ...REQUIRED, ...fields }, UNITS);
const answer = (fields: Record<string, unknown>, key: string): StoredAnswer | undefined => answersOf(parse(fields)).get(key);
const errorsOf = (result: Result) => (result.ok ? [] : result.errors);
const value = (v: string): StoredAnswer => ({ value: v, text: null });

describe('a complete submission', () => {
  test('becomes one stored answer per answered question, optional ones left out', () => {
    const answers = answersOf(parseSubmission(survey, { ...REQUIRED, lang: 'en', _csrf: 'x', website: '' }, UNITS));
    expect([...answers]).toEqual([
      ['l.plain', value('4')],
      ['l.na', value('3')],
      ['pick', value('a')],
    ]);
  });

  test('every type at once, exactly as stored', () => {
    const answers = answersOf(
      parse({
        'q_l.na': 'na',
        'q_l.optional': ' 2 ',
        q_many: ['y', 'x'],
        q_any: 'q',
        q_nps: '10',
        'q_nps.na': 'na',
        q_note: '  請回電 0912-345-678 謝謝  ',
        q_age: 'old',
        q_unit: '12',
      }),
    );
    expect(Object.fromEntries(answers)).toEqual({
      'l.plain': value('4'),
      'l.na': value(NA),
      'l.optional': value('2'),
      pick: value('a'),
      many: { value: null, text: '["x","y"]' },
      any: { value: null, text: '["q"]' },
      nps: value('10'),
      'nps.na': value(NA),
      note: { value: null, text: `請回電 ${MASKS.phone} 謝謝` },
      age: value('old'),
      unit: value('12'),
    });
  });

  test('control fields and other non-question fields are not answers', () => {
    const answers = answersOf(parse({ _csrf: 'token', website: '', lang: 'zh-TW', k: 'kiosk', code: 'ABCD1234', something: 'else' }));
    expect([...answers.keys()]).toEqual(['l.plain', 'l.na', 'pick']);
  });

  test('empty and blank optional answers are skipped, not stored', () => {
    const answers = answersOf(parse({ 'q_l.optional': '', q_many: [], q_nps: '   ', q_note: '', q_age: '', q_unit: '' }));
    expect([...answers.keys()]).toEqual(['l.plain', 'l.na', 'pick']);
  });
});

describe('Likert items', () => {
  test.each(['1', '2', '3', '4', ' 4', '4 '])('%j is a point of the scale', (v) => {
    expect(answer({ 'q_l.plain': v }, 'l.plain')).toEqual(value(v.trim()));
  });

  test.each(['0', '5', '-1', '04', '4.0', '+4', '４', 'four', 'NA', 'n/a', '4,3'])('%j is not on the scale', (v) => {
    expect(errorsOf(parse({ 'q_l.plain': v }))).toEqual([{ field: 'q_l.plain', key: 'survey.error.choice' }]);
  });

  test('N/A where the item allows it, refused where it does not', () => {
    expect(answer({ 'q_l.na': 'na' }, 'l.na')).toEqual(value('na'));
    expect(errorsOf(parse({ 'q_l.plain': 'na' }))).toEqual([{ field: 'q_l.plain', key: 'survey.error.choice' }]);
    expect(errorsOf(parse({ 'q_l.optional': 'na' }))).toEqual([{ field: 'q_l.optional', key: 'survey.error.choice' }]);
  });

  test('a list where one point is expected', () => {
    expect(errorsOf(parse({ 'q_l.plain': ['4'] }))).toEqual([{ field: 'q_l.plain', key: 'survey.error.choice' }]);
    expect(errorsOf(parse({ 'q_l.na': ['na', '3'] }))).toEqual([{ field: 'q_l.na', key: 'survey.error.choice' }]);
  });
});

describe('single choice and demographic questions', () => {
  test('an option is kept; anything else is refused', () => {
    expect(answer({ q_pick: 'c' }, 'pick')).toEqual(value('c'));
    expect(answer({ q_age: ' young ' }, 'age')).toEqual(value('young'));
    for (const bad of ['d', 'A', 'na', 'young']) expect(errorsOf(parse({ q_pick: bad }))).toEqual([{ field: 'q_pick', key: 'survey.error.choice' }]);
    expect(errorsOf(parse({ q_age: 'middle' }))).toEqual([{ field: 'q_age', key: 'survey.error.choice' }]);
  });

  test('a list where one option is expected', () => {
    expect(errorsOf(parse({ q_pick: ['a'] }))).toEqual([{ field: 'q_pick', key: 'survey.error.choice' }]);
    expect(errorsOf(parse({ q_age: ['young', 'old'] }))).toEqual([{ field: 'q_age', key: 'survey.error.choice' }]);
  });
});

describe('multiple choice', () => {
  test('one option, or several, kept once each and sorted', () => {
    expect(answer({ q_many: 'z' }, 'many')).toEqual({ value: null, text: '["z"]' });
    expect(answer({ q_many: ['z', 'x', 'z', 'x'] }, 'many')).toEqual({ value: null, text: '["x","z"]' });
    expect(answer({ q_any: ['q', 'p'] }, 'any')).toEqual({ value: null, text: '["p","q"]' });
  });

  test('more than its maximum is refused; without a maximum every option may be chosen', () => {
    expect(errorsOf(parse({ q_many: ['x', 'y', 'z'] }))).toEqual([{ field: 'q_many', key: 'survey.error.tooManyChoices' }]);
    expect(answersOf(parse({ q_any: ['p', 'q'] })).has('any')).toBe(true);
  });

  test('an option that is not one of the question', () => {
    expect(errorsOf(parse({ q_many: ['x', 'w'] }))).toEqual([{ field: 'q_many', key: 'survey.error.choice' }]);
    expect(errorsOf(parse({ q_many: 'p' }))).toEqual([{ field: 'q_many', key: 'survey.error.choice' }]);
  });
});

describe('ratings 0 to 10', () => {
  test.each(['0', '1', '5', '9', '10', ' 7 '])('%j is a rating', (v) => {
    expect(answer({ q_nps: v }, 'nps')).toEqual(value(v.trim()));
  });

  test.each(['11', '-1', '5.5', '01', '1e1', 'ten', '100', '١'])('%j is not', (v) => {
    expect(errorsOf(parse({ q_nps: v }))).toEqual([{ field: 'q_nps', key: 'survey.error.choice' }]);
  });

  test('N/A only where allowed; a list is refused', () => {
    expect(errorsOf(parse({ q_nps: 'na' }))).toEqual([{ field: 'q_nps', key: 'survey.error.choice' }]);
    expect(answer({ 'q_nps.na': 'na' }, 'nps.na')).toEqual(value('na'));
    expect(errorsOf(parse({ q_nps: ['5'] }))).toEqual([{ field: 'q_nps', key: 'survey.error.choice' }]);
  });
});

describe('free text', () => {
  test('up to maxLength characters (counted as characters, not UTF-16 units), surrounding space trimmed', () => {
    const forty = '好'.repeat(39) + '😀';
    expect(forty.length).toBe(41);
    expect(answer({ q_note: `  ${forty}  ` }, 'note')).toEqual({ value: null, text: forty });
    expect(errorsOf(parse({ q_note: `${forty}x` }))).toEqual([{ field: 'q_note', key: 'survey.error.tooLong' }]);
  });

  test('personal data is masked before it is stored', () => {
    expect(answer({ q_note: '身分證 A123456789，信箱 lin@example.com' }, 'note')).toEqual({ value: null, text: `身分證 ${MASKS.id}，信箱 ${MASKS.email}` });
    expect(answer({ q_note: '0912345678 請回電' }, 'note')).toEqual({ value: null, text: `${MASKS.phone} 請回電` });
  });

  test('a list where text is expected', () => {
    expect(errorsOf(parse({ q_note: ['a', 'b'] }))).toEqual([{ field: 'q_note', key: 'survey.error.invalid' }]);
  });
});

describe('the unit a staff member names', () => {
  test('one of the allowed units', () => {
    expect(answer({ q_unit: '7' }, 'unit')).toEqual(value('7'));
    expect(answer({ q_unit: ' 12 ' }, 'unit')).toEqual(value('12'));
  });

  test.each(['8', '0', '-7', '7.0', '7a', '99999999999', 'unit'])('%j is not an allowed unit', (v) => {
    expect(errorsOf(parse({ q_unit: v }))).toEqual([{ field: 'q_unit', key: 'survey.error.choice' }]);
  });

  test('no unit is allowed when none is given', () => {
    expect(errorsOf(parseSubmission(survey, { ...REQUIRED, q_unit: '7' }))).toEqual([{ field: 'q_unit', key: 'survey.error.choice' }]);
  });

  test('a list where one unit is expected', () => {
    expect(errorsOf(parse({ q_unit: ['7'] }))).toEqual([{ field: 'q_unit', key: 'survey.error.choice' }]);
  });

  test('a unit written with a leading zero is stored as the unit id (or refused), never as another value for the same unit', () => {
    const result = parse({ q_unit: '007' });
    if (result.ok) expect(result.answers.get('unit')).toEqual(value('7'));
    else expect(result.errors).toEqual([{ field: 'q_unit', key: 'survey.error.choice' }]);
  });
});

describe('what the form must not carry', () => {
  test('a q_ field for a question the survey does not have', () => {
    expect(errorsOf(parse({ q_nope: '1', 'q_l.PLAIN': '4', q_: 'x' }))).toEqual([
      { field: 'q_nope', key: 'survey.error.unknownQuestion' },
      { field: 'q_l.PLAIN', key: 'survey.error.unknownQuestion' },
      { field: 'q_', key: 'survey.error.unknownQuestion' },
    ]);
  });

  test('missing required answers, each named, in the order of the survey', () => {
    expect(errorsOf(parseSubmission(survey, {}, UNITS))).toEqual([
      { field: 'q_l.plain', key: 'survey.error.required' },
      { field: 'q_l.na', key: 'survey.error.required' },
      { field: 'q_pick', key: 'survey.error.required' },
    ]);
    expect(errorsOf(parse({ 'q_l.plain': '', 'q_l.na': '   ', q_pick: [] }))).toEqual([
      { field: 'q_l.plain', key: 'survey.error.required' },
      { field: 'q_l.na', key: 'survey.error.required' },
      { field: 'q_pick', key: 'survey.error.required' },
    ]);
  });

  test('no body at all is read as an empty form', () => {
    expect(errorsOf(parseSubmission(survey, undefined, UNITS))).toHaveLength(3);
    expect(errorsOf(parseSubmission(survey, null, UNITS))).toHaveLength(3);
  });

  test('several problems are all reported at once', () => {
    expect(errorsOf(parse({ q_extra: 'x', 'q_l.plain': '9', q_many: ['x', 'y', 'z'], q_note: 'x'.repeat(41) }))).toEqual([
      { field: 'q_extra', key: 'survey.error.unknownQuestion' },
      { field: 'q_l.plain', key: 'survey.error.choice' },
      { field: 'q_many', key: 'survey.error.tooManyChoices' },
      { field: 'q_note', key: 'survey.error.tooLong' },
    ]);
  });

  const malformed = [{ field: 'form', key: 'survey.error.malformed' }];

  test.each<[string, unknown]>([
    ['a number', { ...REQUIRED, 'q_l.plain': 4 }],
    ['an object', { ...REQUIRED, q_pick: { a: 1 } }],
    ['null', { ...REQUIRED, q_note: null }],
    ['a list of numbers', { ...REQUIRED, q_many: [1, 2] }],
    ['a nested list', { ...REQUIRED, q_many: [['x']] }],
    ['a value over 5000 characters', { ...REQUIRED, q_note: 'x'.repeat(5001) }],
    ['a list of more than 50', { ...REQUIRED, q_many: Array.from({ length: 51 }, () => 'x') }],
    ['a list item over 200 characters', { ...REQUIRED, q_many: ['x'.repeat(201)] }],
    ['a field name over 80 characters', { ...REQUIRED, ['f'.repeat(81)]: '1' }],
    ['a string instead of a form', 'q_l.plain=4'],
    ['a list instead of a form', ['4']],
  ])('%s is malformed', (_what, body) => {
    expect(errorsOf(parseSubmission(survey, body, UNITS))).toEqual(malformed);
  });

  test('200 fields are read; more are refused as too many fields', () => {
    const fields = (n: number) => Object.fromEntries(Array.from({ length: n - 3 }, (_, i) => [`extra${i}`, '']));
    expect(parse(fields(200)).ok).toBe(true);
    expect(errorsOf(parse(fields(201)))).toEqual([{ field: 'form', key: 'survey.error.tooMany' }]);
  });
});

describe('the shipped surveys', () => {
  const shipped = new Map(loadSurveys(path.resolve(__dirname, '../../surveys')).map((v) => [v.survey.key, v.survey]));

  test('the citizen survey: the Likert items, with N/A where allowed; everything else optional', () => {
    const citizen = shipped.get('citizen');
    if (!citizen) throw new Error('no citizen survey');
    const body = {
      'q_env.clean': '5', 'q_env.signs': '4', 'q_env.facilities': 'na', 'q_cour.attitude': '5', 'q_cour.attention': '4',
      'q_prof.knowledge': '4', 'q_prof.efficiency': '3', 'q_meas.online': 'na', 'q_meas.forms': '4', q_overall: '5',
    };
    expect(answersOf(parseSubmission(citizen, body)).size).toBe(10);
    expect(errorsOf(parseSubmission(citizen, { ...body, 'q_env.clean': 'na' }))).toEqual([{ field: 'q_env.clean', key: 'survey.error.choice' }]);
    expect(errorsOf(parseSubmission(citizen, { ...body, q_overall: '6' }))).toEqual([{ field: 'q_overall', key: 'survey.error.choice' }]);
  });

  test('the staff survey: a 6-point scale and the unit from the allowed set', () => {
    const staff = shipped.get('staff');
    if (!staff) throw new Error('no staff survey');
    const body = {
      'q_work.space': '6', 'q_work.safety': '1', 'q_lead.direction': '2', 'q_lead.fairness': '3', 'q_train.access': '4',
      'q_train.useful': '5', 'q_comm.info': '6', 'q_comm.voice': '6', q_overall: '6',
    };
    expect(answersOf(parseSubmission(staff, { ...body, q_unit: '12' }, UNITS)).get('unit')).toEqual(value('12'));
    expect(errorsOf(parseSubmission(staff, { ...body, q_unit: '13' }, UNITS))).toEqual([{ field: 'q_unit', key: 'survey.error.choice' }]);
    expect(errorsOf(parseSubmission(staff, { ...body, q_overall: '7' }, UNITS))).toEqual([{ field: 'q_overall', key: 'survey.error.choice' }]);
    expect(errorsOf(parseSubmission(staff, { ...body, q_comment: 'x'.repeat(1001) }, UNITS))).toEqual([{ field: 'q_comment', key: 'survey.error.tooLong' }]);
  });
});
