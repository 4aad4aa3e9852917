import { loggedPath } from '../../server/platform/logger';
import fs from 'node:fs';
import path from 'node:path';
import { surveySchema } from '../../server/surveys/definition';
import { finished, keypadQuestions, languageOf, pressKey, START } from '../../server/petitions/keypad';

const load = (file: string) => surveySchema.parse(JSON.parse(fs.readFileSync(path.join(__dirname, '../../surveys', file), 'utf8')));
const caseSurvey = load('case.json');

describe('keypad questions', () => {
  test('the Likert questions of a survey marked phone, each with its digits in the scale\'s order', () => {
    const qs = keypadQuestions(caseSurvey);
    expect(qs.map((q) => q.key)).toEqual(['case.timeliness', 'case.clarity', 'case.attitude', 'case.outcome', 'overall']);
    expect(qs[0]?.options.map((o) => [o.digit, o.label['zh-TW']])).toEqual([
      ['5', '非常滿意'],
      ['4', '滿意'],
      ['3', '普通'],
      ['2', '不滿意'],
      ['1', '非常不滿意'],
    ]);
  });

  test('none for a survey not marked phone, or questions kept off the phone', () => {
    expect(keypadQuestions({ ...caseSurvey, phone: undefined })).toEqual([]);
    const sections = caseSurvey.sections.map((s) => ({ ...s, questions: s.questions.map((q) => (q.type === 'likert' && q.key !== 'overall' ? { ...q, phone: false } : q)) }));
    expect(keypadQuestions({ ...caseSurvey, sections }).map((q) => q.key)).toEqual(['overall']);
  });
});

describe('a key press', () => {
  const qs = keypadQuestions(caseSurvey);

  test('a scale digit answers and moves on', () => {
    expect(pressKey(qs, START, '4')).toEqual({ position: 1, retried: false, answers: { 'case.timeliness': '4' } });
  });

  test('a wrong or missing key asks again once, then skips the question', () => {
    const once = pressKey(qs, START, '7');
    expect(once).toEqual({ position: 0, retried: true, answers: {} });
    expect(pressKey(qs, once, '')).toEqual({ position: 1, retried: false, answers: {} });
    expect(pressKey(qs, once, '2')).toEqual({ position: 1, retried: false, answers: { 'case.timeliness': '2' } });
    for (const k of ['0', '6', '9', '*', '#', '55', ' ']) expect(pressKey(qs, START, k).retried).toBe(true);
  });

  test('a call played through ends after the last question', () => {
    let s = START;
    for (const k of ['5', '', '', '3', 'x', '1', '2']) s = pressKey(qs, s, k);
    expect(finished(qs, s)).toBe(true);
    expect(s.answers).toEqual({ 'case.timeliness': '5', 'case.attitude': '3', 'case.outcome': '1', overall: '2' });
    expect(pressKey(qs, s, '5')).toBe(s);
  });

  test('9 first chooses English; anything else, or nothing, Chinese', () => {
    expect(languageOf('9')).toBe('en');
    for (const k of ['', '1', '#', '99']) expect(languageOf(k)).toBe('zh-TW');
  });
});

describe('the request log', () => {
  test('never keeps an invitation\'s token, nor a query string', () => {
    expect(loggedPath('/i/abcdefghijklmnopqrstuvwxyzABCDEF?lang=en')).toBe('/i/…');
    expect(loggedPath('/i/thanks?lang=en')).toBe('/i/thanks');
    expect(loggedPath('/i/answer')).toBe('/i/answer');
    expect(loggedPath('/i?lang=en')).toBe('/i');
    expect(loggedPath('/s/ABC123?k=secret')).toBe('/s/ABC123');
  });
});
