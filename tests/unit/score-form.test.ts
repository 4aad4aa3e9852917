import path from 'node:path';
import fc from 'fast-check';
import { formValuesOf, parseScoreForm } from '../../server/courtesy/score-form';
import { loadScoresheets } from '../../server/courtesy/scoresheet';

const [standard] = loadScoresheets(path.resolve(__dirname, '../../surveys/scoresheets'));
if (!standard) throw new Error('no standard sheet');
const sheet = standard.sheet;
const version = standard.version;

const full = {
  version,
  'a_un.answer': '8',
  'a_un.identify': 'yes',
  'a_un.greeting': 'yes',
  'a_un.surname': 'no',
  'a_un.message': 'na',
  'a_un.hold': 'yes',
  'a_un.closing': 'yes',
  'a_un.hangup': 'yes',
  'a_un.tone': '1',
  'a_un.answer_quality': '2',
  'a_un.referral': 'yes',
  'r_un.surname': '沒問貴姓',
};

test('the browser fields become answers, reasons and flags', () => {
  const parsed = parseScoreForm(sheet, ['unit'], { ...full, flags: ['rude'] });
  expect(parsed).toEqual({
    ok: true,
    data: {
      version,
      answers: {
        'un.answer': { seconds: 8 },
        'un.identify': { share: 1 },
        'un.greeting': { share: 1 },
        'un.surname': { share: 0 },
        'un.message': { na: true },
        'un.hold': { share: 1 },
        'un.closing': { share: 1 },
        'un.hangup': { share: 1 },
        'un.tone': { share: 0.5 },
        'un.answer_quality': { share: 1 },
        'un.referral': { share: 1 },
      },
      reasons: { 'un.surname': '沒問貴姓' },
      flags: ['rude'],
      ringSeconds: 8,
    },
  });
});

test('each problem lands on its field, in the order of the sheet', () => {
  const parsed = parseScoreForm(sheet, ['unit'], { ...full, 'a_un.answer': 'twelve', 'a_un.tone': '9', 'a_un.referral': '', 'a_sb.agency': 'yes', flags: 'nope' });
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.errors).toEqual([
    { field: 'a_sb.agency', key: 'score.error.unknownItem' },
    { field: 'flags', key: 'score.error.unknownFlag' },
    { field: 'a_un.answer', key: 'score.error.seconds' },
    { field: 'a_un.tone', key: 'score.error.choice' },
    { field: 'a_un.referral', key: 'score.error.missing' },
  ]);
});

test('a measured item with its N/A box ticked, where the sheet allows it', () => {
  const sb = { version, 'a_sb.answer': '5', 'na_sb.menu': 'na', 'a_sb.agency': 'yes', 'a_sb.greeting': 'yes', 'a_sb.screen': 'yes', 'a_sb.announce': 'yes', 'a_sb.transfer': 'yes', 'a_sb.busy': 'na', 'a_sb.tone': '2' };
  const parsed = parseScoreForm(sheet, ['switchboard'], sb);
  expect(parsed.ok && parsed.data.answers['sb.menu']).toEqual({ na: true });
  const notAllowed = parseScoreForm(sheet, ['unit'], { ...full, 'na_un.answer': 'na', 'a_un.answer': '' });
  expect(notAllowed.ok).toBe(false);
});

test('a missing or malformed version is refused', () => {
  expect(parseScoreForm(sheet, ['unit'], { ...full, version: 'x' })).toEqual({ ok: false, errors: [{ field: 'version', key: 'score.error.version' }] });
});

test('form values of a submission read back to the same submission', () => {
  const items = sheet.parts.find((p) => p.key === 'unit')?.sections.flatMap((s) => s.items) ?? [];
  const answerFor = (kind: string, allowNA: boolean, levels: number) =>
    kind === 'measured'
      ? fc.integer({ min: 0, max: 600 }).map((n) => String(n))
      : fc.constantFrom(...(kind === 'yesno' ? ['yes', 'no'] : Array.from({ length: levels }, (_, i) => String(i))), ...(allowNA ? ['na'] : []));
  const arb = fc.record(
    Object.fromEntries(items.map((i) => [`a_${i.key}`, answerFor(i.kind, i.allowNA && i.kind !== 'measured', i.kind === 'graded' ? i.levels.length : 0)])),
  );
  fc.assert(
    fc.property(arb, (fields) => {
      const first = parseScoreForm(sheet, ['unit'], { version, ...fields });
      if (!first.ok) return; // all N/A in a part is refused, and that is tested elsewhere
      const again = parseScoreForm(sheet, ['unit'], formValuesOf(sheet, ['unit'], first.data));
      expect(again).toEqual(first);
    }),
    { numRuns: 300 },
  );
});
