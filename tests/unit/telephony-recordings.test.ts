import { BadRequestError } from '../../server/platform/errors';
import { deleteBackoffDays, recordingCallbackOf, retentionCutoff, singleRange } from '../../server/telephony/recordings-service';

const RE = 'RE0123456789abcdef0123456789abcdef';

describe('deleteBackoffDays', () => {
  test('doubles from one day after each failure, capped at a week', () => {
    // 2^(n-1) for n = 1..5 is 1, 2, 4, 8, 16; capped at 7.
    expect([1, 2, 3, 4, 5, 30].map(deleteBackoffDays)).toEqual([1, 2, 4, 7, 7, 7]);
  });
});

describe('retentionCutoff', () => {
  test('is the instant the retention period ago', () => {
    // 8 September → 8 October is 30 days, → 8 November 31, → 8 December 30: 91; so 7 December is 90 days after 8 September.
    expect(retentionCutoff(new Date('2026-12-07T02:00:00Z'), 90)).toBe('2026-09-08T02:00:00.000Z');
  });
});

describe('singleRange', () => {
  test('passes a single byte range on, as browsers send it when seeking', () => {
    expect(singleRange('bytes=0-')).toBe('bytes=0-');
    expect(singleRange('bytes=100-199')).toBe('bytes=100-199');
    expect(singleRange('bytes=-500')).toBe('bytes=-500');
  });

  test('drops anything else: several ranges, other units, no range, headers repeated', () => {
    for (const v of ['bytes=0-1,5-9', 'items=0-1', 'bytes=-', 'bytes=a-b', '', undefined, ['bytes=0-']]) expect(singleRange(v)).toBeNull();
  });
});

describe('recordingCallbackOf', () => {
  test('reads a completed recording', () => {
    expect(
      recordingCallbackOf({ RecordingSid: RE, RecordingStatus: 'completed', RecordingDuration: '42', RecordingChannels: '2', RecordingStartTime: 'Mon, 07 Dec 2026 02:00:00 +0000' }),
    ).toEqual({ recordingSid: RE, status: 'completed', durationSeconds: 42, channels: 2, errorCode: null, startedAt: 'Mon, 07 Dec 2026 02:00:00 +0000' });
  });

  test('reads an absent one with its error code, ignores statuses we did not ask for, refuses a bad SID', () => {
    expect(recordingCallbackOf({ RecordingSid: RE, RecordingStatus: 'absent', ErrorCode: '16101' })).toMatchObject({ status: 'absent', errorCode: 16101, durationSeconds: null });
    expect(recordingCallbackOf({ RecordingSid: RE, RecordingStatus: 'in-progress' })).toBeNull();
    expect(() => recordingCallbackOf({ RecordingSid: 'RE../x', RecordingStatus: 'completed' })).toThrow(BadRequestError);
    expect(() => recordingCallbackOf({ RecordingStatus: 'completed' })).toThrow(BadRequestError);
  });
});
