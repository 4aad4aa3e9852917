import { checkCase, parseCasesCsv, parseClosingDate, petitionerPhone, planCases } from '../../server/petitions/case-import';
import { responseRates } from '../../server/petitions/response-rate';
import { invitationSmsBody } from '../../server/petitions/sms-text';
import { checkSmsBody, smsSegments } from '../../server/telephony/sms-rules';

const TODAY = '2026-12-07';

describe('closing dates', () => {
  test.each([
    ['2026-12-01', '2026-12-01'],
    ['2026/1/5', '2026-01-05'],
    // ROC year 115 + 1911 = 2026
    ['115/12/01', '2026-12-01'],
    ['115.2.28', '2026-02-28'],
    [' 99/01/01 ', '2010-01-01'],
  ])('%s → %s', (raw, iso) => expect(parseClosingDate(raw)).toBe(iso));

  test.each(['2026-02-30', '115/13/01', '2026-12', 'yesterday', '', '12/01/2026', '0079/01/01'])('%s is not a date', (raw) => expect(parseClosingDate(raw)).toBeNull());
});

describe('petitioners\' phones', () => {
  test('a mobile gets an SMS, a landline a call, nothing the PIN only; an extension or garbage is refused', () => {
    expect(petitionerPhone('0912-345-678')).toEqual({ ok: true, e164: '+886912345678', kind: 'mobile' });
    expect(petitionerPhone('(02)2345-6789')).toEqual({ ok: true, e164: '+886223456789', kind: 'landline' });
    expect(petitionerPhone('  ')).toEqual({ ok: true, e164: null, kind: 'none' });
    expect(petitionerPhone('02-2345-6789 分機 12')).toEqual({ ok: false });
    expect(petitionerPhone('12')).toEqual({ ok: false });
  });
});

describe('one case', () => {
  test('fields are checked and normalised (case number in capitals)', () => {
    expect(checkCase(2, { case_number: ' 115a0001 ', unit_code: 'A-1', closed_on: '115/12/01', phone: '0912345678' }, TODAY)).toEqual({
      input: { line: 2, caseNumber: '115A0001', unitCode: 'A-1', closedOn: '2026-12-01', phoneE164: '+886912345678', phoneKind: 'mobile' },
      issues: [],
    });
  });

  test('every problem of the line is named by column', () => {
    const r = checkCase(7, { case_number: 'a', unit_code: '', closed_on: '2026-12-08', phone: 'abc' }, TODAY);
    expect(r.input).toBeUndefined();
    expect(r.issues.map((i) => [i.line, i.column, i.key])).toEqual([
      [7, 'case_number', 'petition.error.caseNumber'],
      [7, 'unit_code', 'petition.error.unit'],
      [7, 'closed_on', 'petition.error.future'],
      [7, 'phone', 'petition.error.phone'],
    ]);
  });
});

describe('a batch', () => {
  const units = new Map([['A-1', 11], ['A-2', 12]]);

  test('duplicates in the file, stored case numbers and units out of reach are problems of their lines; then nothing is planned', () => {
    const csv = 'case_number,unit_code,closed_on,phone\n115A0001,A-1,2026-12-01,\n115a0001,A-2,2026-12-01,\n115A0009,A-1,2026-12-01,\n115A0002,Z-9,2026-12-01,\n115A0003,A-2,2026-12-02,';
    const parsed = parseCasesCsv(csv, TODAY);
    expect(parsed.issues).toEqual([]);
    const plan = planCases(parsed.inputs, parsed.issues, new Set(['115A0009']), units);
    expect(plan.cases).toEqual([]);
    expect(plan.issues.map((i) => [i.line, i.key])).toEqual([
      [3, 'petition.error.duplicate'],
      [4, 'petition.error.exists'],
      [5, 'petition.error.unknownUnit'],
    ]);
  });

  test('a line with its own problems is checked for its unit too: every problem of the line at once', () => {
    const parsed = parseCasesCsv('case_number,unit_code,closed_on\n115A0001,Z-9,2026-13-01\n115A0002,A-1,nope', TODAY);
    const plan = planCases(parsed.inputs, parsed.issues, new Set(), units, parsed.badLines);
    expect(plan.issues.map((i) => [i.line, i.column, i.key])).toEqual([
      [2, 'closed_on', 'petition.error.closedOn'],
      [2, 'unit_code', 'petition.error.unknownUnit'],
      [3, 'closed_on', 'petition.error.closedOn'],
    ]);
  });

  test('a clean file plans every case with its unit', () => {
    const parsed = parseCasesCsv('\ufeff案號,單位代碼,結案日期,手機\r\n115A0001,A-1,115/12/01,0912345678\r\n115A0002,A-2,2026-12-02,\r\n', TODAY);
    const plan = planCases(parsed.inputs, parsed.issues, new Set(), units);
    expect(plan.issues).toEqual([]);
    expect(plan.cases.map((c) => [c.line, c.caseNumber, c.unitId, c.closedOn, c.phoneKind])).toEqual([
      [2, '115A0001', 11, '2026-12-01', 'mobile'],
      [3, '115A0002', 12, '2026-12-02', 'none'],
    ]);
  });

  test('a file without a required column or without lines is refused as a whole', () => {
    expect(parseCasesCsv('案號,結案日期\n115A0001,2026-12-01', TODAY).issues).toEqual([{ line: 1, column: 'unit_code', key: 'import.missingColumn', params: { column: 'unit_code' } }]);
    expect(parseCasesCsv('案號,單位代碼,結案日期\n', TODAY).issues).toEqual([{ line: 1, column: '', key: 'import.empty' }]);
  });
});

describe('the invitation SMS', () => {
  const o = { brand: '【臺北市中正區公所】', caseNumber: '115A0001', link: 'https://courtesy.example.gov.tw/i/abcdefghijklmnopqrstuvwxyzABCDEF', entryUrl: 'https://courtesy.example.gov.tw/i', pin: '123456' };

  test('starts with the brand, carries the full link, the case number and the PIN, and passes the Taiwan rules', () => {
    const body = invitationSmsBody({ ...o, reminder: false });
    expect(body).toBe('【臺北市中正區公所】您的陳情案件（案號115A0001）已結案，請花1分鐘填寫處理滿意度問卷：https://courtesy.example.gov.tw/i/abcdefghijklmnopqrstuvwxyzABCDEF （也可至 https://courtesy.example.gov.tw/i 輸入案號及密碼123456）');
    expect(checkSmsBody(body, '臺北市中正區公所')).toEqual([]);
    // Counted by hand: brand 10 + 您的陳情案件（案號 9 + 115A0001 8 + ）已結案…問卷： 20 + link 66 + " （也可至 " 6
    // + entry 33 + " 輸入案號及密碼" 8 + PIN 6 + ） 1 = 167 UTF-16 units: over 70, so parts of 67: 3.
    expect(smsSegments(body)).toEqual({ encoding: 'UCS-2', units: 167, segments: 3 });
  });

  test('the reminder says it is one', () => {
    const body = invitationSmsBody({ ...o, reminder: true });
    expect(body.startsWith('【臺北市中正區公所】提醒您填寫陳情案件（案號115A0001）')).toBe(true);
    expect(checkSmsBody(body, '臺北市中正區公所')).toEqual([]);
  });
});

describe('response rate', () => {
  test('answered among the delivered / delivered, per survey, unit and month', () => {
    const row = (unitId: number, month: string, answered: boolean, smsIds: number[], callAnswered = false) => ({ surveyKey: 'case', unitId, month, answered, smsIds, callAnswered });
    const delivered = new Set([1, 2, 4, 7]);
    const rates = responseRates(
      [
        row(11, '2026-12', true, [1]), // delivered, answered
        row(11, '2026-12', false, [2]), // delivered
        row(11, '2026-12', true, [3]), // SMS not delivered, answered by PIN on paper: not in the rate
        row(11, '2026-12', false, [5, 4]), // the reminder was delivered
        row(11, '2026-12', true, [], true), // a landline reached by the keypad call, answered
        row(12, '2026-12', false, [6]), // nothing delivered
        row(11, '2026-11', true, [7]),
      ],
      delivered,
    );
    expect(rates).toEqual([
      // 2 answered of 4 delivered = 0.5
      { surveyKey: 'case', unitId: 11, month: '2026-11', invited: 1, delivered: 1, answered: 1, answeredDelivered: 1, rate: 1 },
      { surveyKey: 'case', unitId: 11, month: '2026-12', invited: 5, delivered: 4, answered: 3, answeredDelivered: 2, rate: 0.5 },
      { surveyKey: 'case', unitId: 12, month: '2026-12', invited: 1, delivered: 0, answered: 0, answeredDelivered: 0, rate: null },
    ]);
  });
});
