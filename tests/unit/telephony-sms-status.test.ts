import { caseDueText, testerReminderDate, testerReminderText } from '../../server/telephony/sms-reminders';
import { checkSmsBody } from '../../server/telephony/sms-rules';
import { classifyFailure, fromTwilioStatus, maskDigitRuns, maskPhone, retryAt, statusesBefore } from '../../server/telephony/sms-status';

describe('retryAt (Taiwan = UTC+8; back-off 1, 5, 15, 60 minutes, then none)', () => {
  // Each case: now (UTC), tries so far, the answer (UTC), worked out by hand from the back-off and the quiet hours.
  it.each([
    ['2026-03-05T02:00:00.000Z', 1, '2026-03-05T02:01:00.000Z'], // 10:00 + 1 min
    ['2026-03-05T02:00:00.000Z', 2, '2026-03-05T02:05:00.000Z'], // 10:00 + 5 min
    ['2026-03-05T02:00:00.000Z', 3, '2026-03-05T02:15:00.000Z'], // 10:00 + 15 min
    ['2026-03-05T02:00:00.000Z', 4, '2026-03-05T03:00:00.000Z'], // 10:00 + 60 min
    ['2026-03-05T04:29:30.000Z', 1, '2026-03-05T05:30:00.000Z'], // 12:29:30 + 1 min = 12:30:30, lunch: 13:30
    ['2026-03-05T04:00:00.000Z', 4, '2026-03-05T05:30:00.000Z'], // 12:00 + 60 min = 13:00, lunch: 13:30
    ['2026-03-05T12:59:00.000Z', 1, '2026-03-06T01:00:00.000Z'], // 20:59 + 1 min = 21:00, night: 09:00 next day
    ['2026-03-05T12:30:00.000Z', 4, '2026-03-06T01:00:00.000Z'], // 20:30 + 60 min = 21:30, night: 09:00 next day
    ['2026-03-05T15:58:00.000Z', 2, '2026-03-06T01:00:00.000Z'], // 23:58 + 5 min = 00:03 after midnight: 09:00 that day
    ['2026-03-05T00:58:00.000Z', 1, '2026-03-05T01:00:00.000Z'], // 08:58 + 1 min = 08:59, still night: 09:00
  ])('after a failure at %s with %i tries: %s', (now, tries, expected) => {
    expect(retryAt(new Date(now), tries)?.toISOString()).toBe(expected);
  });

  it('gives up after the fifth try', () => {
    expect(retryAt(new Date('2026-03-05T02:00:00Z'), 5)).toBeNull();
    expect(retryAt(new Date('2026-03-05T02:00:00Z'), 0)).toBeNull();
  });
});

describe('fromTwilioStatus', () => {
  it('keeps the statuses the outbox tracks', () => {
    expect(['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed', 'canceled', 'received', 'toString'].map(fromTwilioStatus)).toEqual([
      'queued', 'queued', 'queued', 'queued', 'sent', 'delivered', 'delivered', 'undelivered', 'failed', 'failed', null, null,
    ]);
  });
});

describe('statusesBefore: a callback only moves a message forward', () => {
  it('lists the earlier statuses', () => {
    expect(statusesBefore('queued')).toEqual(['pending', 'sending']);
    expect(statusesBefore('sent')).toEqual(['pending', 'sending', 'queued']);
    expect(statusesBefore('delivered')).toEqual(['pending', 'sending', 'queued', 'sent']);
    expect(statusesBefore('undelivered')).toEqual(statusesBefore('delivered'));
  });
});

describe('classifyFailure', () => {
  it('retries what Twilio did not take, gives up on what it refused, and never guesses', () => {
    expect(classifyFailure({ httpStatus: 429 })).toBe('transient');
    expect(classifyFailure({ httpStatus: 500 })).toBe('transient');
    expect(classifyFailure({ httpStatus: 503 })).toBe('transient');
    expect(classifyFailure({ httpStatus: 400 })).toBe('permanent');
    expect(classifyFailure({ httpStatus: 401 })).toBe('permanent');
    expect(classifyFailure({ networkCode: 'ECONNREFUSED' })).toBe('transient');
    expect(classifyFailure({ networkCode: 'ENOTFOUND' })).toBe('transient');
    expect(classifyFailure({ networkCode: 'ECONNRESET' })).toBe('unknown');
    expect(classifyFailure({ networkCode: 'ECONNABORTED' })).toBe('unknown');
    expect(classifyFailure({})).toBe('unknown');
  });
});

describe('maskPhone', () => {
  it('shows the first four and last three digits of the number as dialled in Taiwan', () => {
    expect(maskPhone('+886912345678')).toBe('0912***678');
    expect(maskPhone('0912-345-678')).toBe('0912***678');
    expect(maskPhone('+886223456789')).toBe('0223***789');
    expect(maskPhone('12345')).toBe('***');
    expect(maskPhone('')).toBe('—');
    expect(maskPhone(null)).toBe('—');
  });
});

describe('maskDigitRuns', () => {
  it('hides every run of six digits or more (a phone number however written), keeps error codes and short numbers', () => {
    expect(maskDigitRuns("The 'To' number +886912345678 is not a valid phone number.")).toBe("The 'To' number *** is not a valid phone number.");
    expect(maskDigitRuns('Unable to create record: 0912-345-678 (code 21211)')).toBe('Unable to create record: *** (code 21211)');
    expect(maskDigitRuns('To +886 (2) 2345 6789, 3 tries')).toBe('To ***, 3 tries');
    expect(maskDigitRuns('Attempt to send to unsubscribed recipient')).toBe('Attempt to send to unsubscribed recipient');
    expect(maskDigitRuns('Error 20500 at 12:30')).toBe('Error 20500 at 12:30');
  });
});

describe('the reminders\' texts and hours', () => {
  it('prepares the testers\' reminders from 07:00 to 17:00 Taiwan time, for that Taiwan day', () => {
    expect(testerReminderDate(new Date('2026-12-06T22:59:59Z'))).toBeNull(); // 06:59:59 on the 7th
    expect(testerReminderDate(new Date('2026-12-06T23:00:00Z'))).toBe('2026-12-07'); // 07:00 on the 7th (still the 6th in UTC)
    expect(testerReminderDate(new Date('2026-12-07T08:59:00Z'))).toBe('2026-12-07'); // 16:59
    expect(testerReminderDate(new Date('2026-12-07T09:00:00Z'))).toBeNull(); // 17:00
    expect(testerReminderDate(new Date('2026-12-07T16:00:00Z'))).toBeNull(); // midnight
  });

  it('writes the tester\'s text in the tester\'s language, with the first time when there is one', () => {
    const url = 'https://x.example.gov.tw/my/assignments';
    expect(testerReminderText('zh-TW', { date: '2026-12-07', count: 3, firstTime: '09:30', url })).toBe(
      '今天（民國115年12月7日）您有 3 通電話禮貌測試，第一通 09:30 起。請至 https://x.example.gov.tw/my/assignments 查看。',
    );
    expect(testerReminderText('en', { date: '2026-12-07', count: 1, firstTime: null, url })).toBe(
      'You have 1 phone courtesy test call(s) today (2026-12-07). See https://x.example.gov.tw/my/assignments',
    );
    expect(caseDueText('zh-TW', { caseId: 12, dueDate: '2027-01-03', url: 'https://x.example.gov.tw/cases/12' })).toBe(
      '改善案件 #12 將於 民國116年1月3日 到期，請至 https://x.example.gov.tw/cases/12 填寫改善報告。',
    );
  });

  it('keeps every reminder within Taiwan\'s SMS rules (full URL, nothing glued to it)', () => {
    const url = 'https://courtesy.example.gov.tw/app/my/assignments';
    for (const lang of ['zh-TW', 'en'] as const) {
      const body = `【甲機關】${testerReminderText(lang, { date: '2026-12-07', count: 2, firstTime: '10:00', url })}`;
      expect(checkSmsBody(body, '甲機關')).toEqual([]);
      expect(body.match(/https?:\/\/[^\s\u0080-\uffff]+/g)).toEqual([url]);
      const caseBody = `【甲機關】${caseDueText(lang, { caseId: 3, dueDate: '2026-12-10', url: 'https://courtesy.example.gov.tw/app/cases/3' })}`;
      expect(caseBody.match(/https?:\/\/[^\s\u0080-\uffff]+/g)).toEqual(['https://courtesy.example.gov.tw/app/cases/3']);
    }
  });
});
