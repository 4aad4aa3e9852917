import path from 'node:path';
import { loadSurveys, type Survey } from '../../server/surveys/definition';
import { channelHealth, ONE_SIDED_MIN_N, ONE_SIDED_SHARE, STAFF_MIN_N } from '../../server/surveys/health';
import type { Channel, ChannelMode } from '../../server/surveys/repo';

const shipped = new Map(loadSurveys(path.resolve(__dirname, '../../surveys')).map((v) => [v.survey.key, v.survey]));
function surveyNamed(key: string): Survey {
  const s = shipped.get(key);
  if (!s) throw new Error(`no ${key} survey`);
  return s;
}

function channel(mode: ChannelMode, surveyKey: string, active = true): Channel {
  return {
    id: 1, code: 'ABC234', surveyKey, unitId: 2, unitPath: '/1/2/', unitCode: 'A-REG', unitNameZh: '戶政課', unitNameEn: 'Registration',
    agencyNameZh: '甲區公所', agencyNameEn: 'A District Office', counterName: '', mode, kioskKey: mode === 'kiosk' ? 'key' : null, codesRequired: false, active,
  };
}

interface Input {
  mode?: ChannelMode;
  survey?: string;
  active?: boolean;
  lastWeek?: number;
  previousFourWeeks?: number;
  values?: Record<string, number>;
  respondents?: number;
}

function health(input: Input = {}) {
  const surveyKey = input.survey ?? 'citizen';
  const values = new Map(Object.entries(input.values ?? {}));
  return channelHealth({
    channel: channel(input.mode ?? 'personal', surveyKey, input.active ?? true),
    survey: surveyNamed(surveyKey),
    last: '2026-12-01T02:00:00.000Z',
    lastWeek: input.lastWeek ?? 3,
    previousFourWeeks: input.previousFourWeeks ?? 12,
    values,
    respondents: input.respondents ?? [...values.values()].reduce((a, b) => a + b, 0),
  });
}

test('the thresholds are the documented ones', () => {
  expect([ONE_SIDED_SHARE, ONE_SIDED_MIN_N, STAFF_MIN_N]).toEqual([0.9, 20, 5]);
});

describe('quiet', () => {
  test('nothing in the last week after at least four answers in the four weeks before', () => {
    expect(health({ lastWeek: 0, previousFourWeeks: 4 }).quiet).toBe(true);
    expect(health({ lastWeek: 0, previousFourWeeks: 40 }).quiet).toBe(true);
  });

  test('not quiet: an answer this week, too few before, or a channel switched off', () => {
    expect(health({ lastWeek: 1, previousFourWeeks: 40 }).quiet).toBe(false);
    expect(health({ lastWeek: 0, previousFourWeeks: 3 }).quiet).toBe(false);
    expect(health({ lastWeek: 0, previousFourWeeks: 0 }).quiet).toBe(false);
    expect(health({ lastWeek: 0, previousFourWeeks: 40, active: false }).quiet).toBe(false);
  });

  test('the last answer and this week are passed through', () => {
    expect(health({ lastWeek: 7 })).toMatchObject({ last: '2026-12-01T02:00:00.000Z', lastWeek: 7 });
  });
});

describe('one-sided', () => {
  test('exactly 90% on one point is not one-sided', () => {
    expect(health({ values: { '5': 18, '4': 2 } })).toMatchObject({ oneSided: false, likertAnswers: 20 });
    expect(health({ values: { '5': 27, '3': 3 } })).toMatchObject({ oneSided: false, likertAnswers: 30 });
    expect(health({ values: { '1': 90, '2': 5, '3': 5 } })).toMatchObject({ oneSided: false, likertAnswers: 100 });
  });

  test('over 90% with at least 20 answers is', () => {
    expect(health({ values: { '5': 19, '4': 1 } })).toMatchObject({ oneSided: true, likertAnswers: 20 });
    expect(health({ values: { '5': 20 } })).toMatchObject({ oneSided: true, likertAnswers: 20 });
    expect(health({ values: { '1': 91, '2': 9 } })).toMatchObject({ oneSided: true, likertAnswers: 100 });
  });

  test('19 answers are too few, even all on one point', () => {
    expect(health({ values: { '5': 19 } })).toMatchObject({ oneSided: false, likertAnswers: 19 });
  });

  test('N/A and other non-numeric values are not Likert answers and do not count', () => {
    expect(health({ values: { '5': 19, na: 30 } })).toMatchObject({ oneSided: false, likertAnswers: 19 });
    expect(health({ values: { '5': 19, '4': 1, na: 500, __text: 9 } })).toMatchObject({ oneSided: true, likertAnswers: 20 });
  });
});

describe('the share of the lowest answer', () => {
  test('the scale’s lowest point over all Likert answers', () => {
    expect(health({ values: { '1': 3, '5': 9 } }).lowestShare).toBe(0.25);
    expect(health({ values: { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1, na: 5 } }).lowestShare).toBe(0.2);
    expect(health({ values: { '4': 2, '5': 2 } }).lowestShare).toBe(0);
    expect(health({ values: { '1': 20 } })).toMatchObject({ lowestShare: 1, oneSided: true });
  });

  test('none when there are no Likert answers', () => {
    expect(health({ values: {} }).lowestShare).toBeNull();
    expect(health({ values: { na: 4 } }).lowestShare).toBeNull();
  });

  test('on the staff survey’s six-point scale the lowest point is 1 too', () => {
    expect(health({ mode: 'staff', survey: 'staff', values: { '1': 2, '6': 6 }, respondents: 5 }).lowestShare).toBe(0.25);
  });
});

describe('staff channels with fewer than five respondents show nothing', () => {
  test('four respondents: suppressed, no share, no count, never one-sided', () => {
    expect(health({ mode: 'staff', survey: 'staff', values: { '1': 40 }, respondents: 4 })).toMatchObject({
      suppressed: true,
      lowestShare: null,
      likertAnswers: 0,
      oneSided: false,
    });
    expect(health({ mode: 'staff', survey: 'staff', values: {}, respondents: 0 }).suppressed).toBe(true);
  });

  test('five respondents: shown', () => {
    expect(health({ mode: 'staff', survey: 'staff', values: { '1': 45 }, respondents: 5 })).toMatchObject({
      suppressed: false,
      lowestShare: 1,
      likertAnswers: 45,
      oneSided: true,
    });
  });

  test('a suppressed staff channel can still be quiet (that reveals no answer)', () => {
    expect(health({ mode: 'staff', survey: 'staff', respondents: 2, lastWeek: 0, previousFourWeeks: 4 })).toMatchObject({ suppressed: true, quiet: true });
  });

  test('citizen channels are never suppressed, however few answered', () => {
    for (const mode of ['personal', 'kiosk'] as const) {
      expect(health({ mode, values: { '1': 1 }, respondents: 1 })).toMatchObject({ suppressed: false, lowestShare: 1, likertAnswers: 1 });
    }
  });

  // A manager can open a personal or kiosk channel for the staff survey; the survey promises its
  // respondents that groups under five are never shown, whatever link they answered through.
  test('the staff survey is suppressed under five respondents on any kind of channel', () => {
    for (const mode of ['personal', 'kiosk'] as const) {
      expect(health({ mode, survey: 'staff', values: { '1': 3 }, respondents: 3 })).toMatchObject({ suppressed: true, lowestShare: null, likertAnswers: 0 });
    }
  });
});
