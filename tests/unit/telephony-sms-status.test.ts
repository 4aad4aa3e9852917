import { classifyFailure, fromTwilioStatus, maskPhone, retryAt, statusesBefore } from '../../server/telephony/sms-status';

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
