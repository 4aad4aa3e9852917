import fc from 'fast-check';
import {
  applyManualRingTime,
  callEventFromParams,
  confirmRingTime,
  countsAsAttempt,
  formatRfc2822,
  orderEvents,
  parseRfc2822,
  summariseCall,
  type CallEvent,
  type CallEventStatus,
  type CallOutcome,
} from '../../server/telephony/ring-time';

const SID = 'CA0123456789abcdef0123456789abcdef';
const START = Date.parse('2026-03-05T06:00:00Z');

/** An event `second` seconds after START. */
function ev(sequenceNumber: number, status: CallEventStatus, second: number, extra: Partial<CallEvent> = {}): CallEvent {
  return { callSid: SID, sequenceNumber, status, timestamp: formatRfc2822(new Date(START + second * 1000)), ...extra };
}

const iso = (second: number) => new Date(START + second * 1000).toISOString();

/** Initiated at 0, ringing at 1, answered at 6, hung up at 66 (a 5 s ring, 60 s talk). */
const NORMAL: CallEvent[] = [ev(0, 'initiated', 0), ev(1, 'ringing', 1), ev(2, 'in-progress', 6), ev(3, 'completed', 66, { callDuration: 60 })];

describe('RFC 2822 timestamps', () => {
  it('formats as Twilio does and reads it back', () => {
    expect(formatRfc2822(new Date('2026-03-05T06:00:07Z'))).toBe('Thu, 05 Mar 2026 06:00:07 +0000');
    expect(formatRfc2822(new Date('2028-02-29T23:59:59.900Z'))).toBe('Tue, 29 Feb 2028 23:59:59 +0000');
    expect(parseRfc2822('Thu, 05 Mar 2026 06:00:07 +0000')?.toISOString()).toBe('2026-03-05T06:00:07.000Z');
  });

  it('applies the offset, and takes a date without the weekday or with GMT', () => {
    expect(parseRfc2822('Thu, 05 Mar 2026 14:00:07 +0800')?.toISOString()).toBe('2026-03-05T06:00:07.000Z');
    expect(parseRfc2822('Wed, 04 Mar 2026 20:30:00 -0930')?.toISOString()).toBe('2026-03-05T06:00:00.000Z');
    expect(parseRfc2822('5 Mar 2026 06:00:07 GMT')?.toISOString()).toBe('2026-03-05T06:00:07.000Z');
  });

  it.each(['', '2026-03-05T06:00:07Z', 'Sun, 31 Feb 2026 06:00:07 +0000', 'Thu, 05 Mar 2026 24:00:00 +0000', 'Thu, 05 Foo 2026 06:00:07 +0000', 'Thu, 05 Mar 2026 06:00 +0000'])(
    'refuses %j',
    (text) => {
      expect(parseRfc2822(text)).toBeNull();
    },
  );

  it('round-trips any whole second', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800 }), (s) => {
        expect(parseRfc2822(formatRfc2822(new Date(s * 1000)))?.getTime()).toBe(s * 1000);
      }),
    );
  });
});

describe('callEventFromParams', () => {
  const params = { CallSid: SID, CallStatus: 'in-progress', SequenceNumber: '2', Timestamp: 'Thu, 05 Mar 2026 06:00:06 +0000', CallbackSource: 'call-progress-events' };

  it('keeps what the ring time needs, raw', () => {
    expect(callEventFromParams(params)).toEqual({ callSid: SID, sequenceNumber: 2, status: 'in-progress', timestamp: 'Thu, 05 Mar 2026 06:00:06 +0000' });
    expect(callEventFromParams({ ...params, CallStatus: 'completed', CallDuration: '60', AnsweredBy: 'human', DialCallStatus: 'completed' })).toEqual({
      callSid: SID, sequenceNumber: 2, status: 'completed', timestamp: 'Thu, 05 Mar 2026 06:00:06 +0000', callDuration: 60, answeredBy: 'human', dialCallStatus: 'completed',
    });
  });

  it.each([
    ['no CallSid', { CallSid: undefined }],
    ['a SID that is not a call', { CallSid: 'SM0123456789abcdef0123456789abcdef' }],
    ['an unknown status', { CallStatus: 'queued' }],
    ['a negative sequence number', { SequenceNumber: '-1' }],
    ['an ISO timestamp', { Timestamp: '2026-03-05T06:00:06Z' }],
    ['an array for a field', { CallStatus: ['ringing', 'ringing'] }],
  ])('refuses %s', (_name, change) => {
    expect(callEventFromParams({ ...params, ...change })).toBeNull();
  });
});

describe('summariseCall: ring time', () => {
  it('measures answered − ringing', () => {
    expect(summariseCall(NORMAL)).toEqual({
      outcome: 'answered',
      ringTime: { seconds: 5, source: 'measured', needsConfirmation: false, flags: [], from: iso(1), to: iso(6) },
    });
  });

  it('reads an answer reported as "answered" the same as "in-progress"', () => {
    expect(summariseCall([ev(0, 'ringing', 0), ev(1, 'answered', 3)]).ringTime?.seconds).toBe(3);
  });

  it('counts an event delivered twice once, keeping the first delivery', () => {
    const events = [...NORMAL, ev(1, 'ringing', 4), ev(2, 'in-progress', 6)];
    expect(orderEvents(events)).toEqual(NORMAL);
    expect(summariseCall(events).ringTime?.seconds).toBe(5);
  });

  it('orders by sequence number, whatever order the events arrived in', () => {
    const [initiated, ringing, answered, completed] = NORMAL as [CallEvent, CallEvent, CallEvent, CallEvent];
    expect(orderEvents([completed, answered, initiated, ringing])).toEqual(NORMAL);
    expect(summariseCall([completed, answered, initiated, ringing])).toEqual(summariseCall(NORMAL));
  });

  it('gives the same summary for any arrival order and any repeats (property)', () => {
    const expected = summariseCall(NORMAL);
    fc.assert(
      fc.property(fc.shuffledSubarray([...NORMAL, ...NORMAL, ...NORMAL], { minLength: 12, maxLength: 12 }), fc.array(fc.constantFrom(...NORMAL), { maxLength: 6 }), (shuffled, extra) => {
        expect(summariseCall([...shuffled, ...extra])).toEqual(expected);
      }),
    );
  });

  it('keeps a switchboard or voice menu figure but asks the tester to confirm it', () => {
    expect(summariseCall(NORMAL, { answeredByMenu: true }).ringTime).toEqual({
      seconds: 5, source: 'pbx', needsConfirmation: true, flags: ['answeredByMenu'], from: iso(1), to: iso(6),
    });
    const amd = [ev(0, 'ringing', 0), ev(1, 'in-progress', 2, { answeredBy: 'machine_start' })];
    expect(summariseCall(amd).ringTime).toMatchObject({ seconds: 2, source: 'pbx', needsConfirmation: true, flags: ['machineDetected'] });
    expect(summariseCall([ev(0, 'ringing', 0), ev(1, 'in-progress', 2, { answeredBy: 'human' })]).ringTime?.source).toBe('measured');
  });

  it('falls back to initiated → answered when ringing is missing, flagged', () => {
    const events = NORMAL.filter((e) => e.status !== 'ringing');
    expect(summariseCall(events).ringTime).toEqual({ seconds: 6, source: 'missing', needsConfirmation: true, flags: ['ringingMissing'], from: iso(0), to: iso(6) });
  });

  it('estimates the answer as completed − CallDuration when the answer event is missing', () => {
    const events = NORMAL.filter((e) => e.status !== 'in-progress');
    expect(summariseCall(events)).toEqual({
      outcome: 'answered',
      ringTime: { seconds: 5, source: 'missing', needsConfirmation: true, flags: ['answerEstimated'], from: iso(1), to: iso(6) },
    });
  });

  it('gives no figure when an end cannot be found', () => {
    const noAnswerTime = [ev(0, 'ringing', 1), ev(1, 'completed', 66)];
    expect(summariseCall(noAnswerTime).ringTime).toEqual({ seconds: null, source: 'missing', needsConfirmation: true, flags: ['answerMissing'], from: iso(1), to: null });
    const noStart = [ev(2, 'in-progress', 6), ev(3, 'completed', 66)];
    expect(summariseCall(noStart, { answeredByMenu: true }).ringTime).toEqual({
      seconds: null, source: 'missing', needsConfirmation: true, flags: ['answeredByMenu', 'startMissing'], from: null, to: iso(6),
    });
  });

  it('gives no figure when the answer is stamped before the ringing', () => {
    const events = [ev(0, 'ringing', 10), ev(1, 'in-progress', 5)];
    expect(summariseCall(events).ringTime).toMatchObject({ seconds: null, source: 'missing', flags: ['answerBeforeRinging'] });
  });

  it('accepts an answer in the same second as the ringing', () => {
    expect(summariseCall([ev(0, 'ringing', 1), ev(1, 'in-progress', 1)]).ringTime?.seconds).toBe(0);
  });

  it('refuses events of two calls', () => {
    expect(() => summariseCall([...NORMAL, { ...ev(4, 'completed', 70), callSid: `CA${'f'.repeat(32)}` }])).toThrow(RangeError);
  });
});

describe('summariseCall: outcome', () => {
  it.each<[string, CallEvent[], CallOutcome]>([
    ['no answer', [ev(0, 'initiated', 0), ev(1, 'ringing', 1), ev(2, 'no-answer', 31)], 'no-answer'],
    ['busy', [ev(0, 'initiated', 0), ev(1, 'busy', 2)], 'busy'],
    ['failed', [ev(0, 'initiated', 0), ev(1, 'failed', 1)], 'failed'],
    ['canceled by the tester hanging up', [ev(0, 'initiated', 0), ev(1, 'ringing', 1), ev(2, 'canceled', 9)], 'canceled'],
    ['still ringing', [ev(0, 'initiated', 0), ev(1, 'ringing', 1)], 'pending'],
    ['no events yet', [], 'pending'],
    ['only the <Dial> action said busy', [ev(0, 'initiated', 0, { dialCallStatus: 'busy' })], 'busy'],
    ['a nonsense DialCallStatus', [ev(0, 'initiated', 0, { dialCallStatus: 'constructor' })], 'pending'],
    ['completed without an answer event', [ev(0, 'ringing', 1), ev(1, 'completed', 66)], 'answered'],
  ])('%s', (_name, events, outcome) => {
    const summary = summariseCall(events);
    expect(summary.outcome).toBe(outcome);
    if (outcome !== 'answered') expect(summary.ringTime).toBeNull();
  });

  it('counts no answer and busy as attempts, nothing else', () => {
    const outcomes: CallOutcome[] = ['answered', 'no-answer', 'busy', 'failed', 'canceled', 'pending'];
    expect(outcomes.filter(countsAsAttempt)).toEqual(['no-answer', 'busy']);
  });
});

describe('the tester corrects or confirms', () => {
  it('replaces the figure with a manual one and keeps what the events said', () => {
    const measured = summariseCall(NORMAL, { answeredByMenu: true });
    const manual = applyManualRingTime(measured, { seconds: 12, reason: ' 總機轉接後分機響了 12 秒 ' });
    expect(manual).toEqual({
      outcome: 'answered',
      ringTime: {
        seconds: 12, source: 'manual', needsConfirmation: false, flags: [], from: null, to: null,
        override: { reason: '總機轉接後分機響了 12 秒', measured: { outcome: measured.outcome, ringTime: measured.ringTime } },
      },
    });
    // A second correction still remembers the events' figure, not the first correction.
    expect(applyManualRingTime(manual, { seconds: 10, reason: 'typo' }).ringTime?.override?.measured).toEqual({ outcome: 'answered', ringTime: measured.ringTime });
  });

  it('turns a call the events never saw answered into an answered one', () => {
    const lost = summariseCall([ev(0, 'initiated', 0)]);
    expect(applyManualRingTime(lost, { seconds: 8, reason: 'events lost' })).toMatchObject({ outcome: 'answered', ringTime: { seconds: 8, source: 'manual' } });
  });

  it.each([
    ['negative', -1, 'x'],
    ['fractional', 2.5, 'x'],
    ['over ten minutes', 601, 'x'],
    ['without a reason', 5, '   '],
  ])('refuses a figure %s', (_name, seconds, reason) => {
    expect(() => applyManualRingTime(summariseCall(NORMAL), { seconds, reason })).toThrow(RangeError);
  });

  it('confirms a switchboard figure as it stands', () => {
    expect(confirmRingTime(summariseCall(NORMAL, { answeredByMenu: true })).ringTime).toMatchObject({ seconds: 5, source: 'pbx', needsConfirmation: false });
    expect(() => confirmRingTime(summariseCall([ev(0, 'ringing', 1), ev(1, 'completed', 66)]))).toThrow(RangeError);
    expect(() => confirmRingTime(summariseCall([ev(0, 'busy', 1)]))).toThrow(RangeError);
  });
});
