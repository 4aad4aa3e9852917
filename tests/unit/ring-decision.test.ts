import { ringDecisionOf, type MeasuredRing } from '../../server/courtesy/ring-decision';

const measured: MeasuredRing = { callId: 7, seconds: 5, source: 'measured', needsConfirmation: false, flags: [] };

describe('what the tester did with a measured ring time', () => {
  it('sent as measured: confirmed', () => {
    expect(ringDecisionOf({ 'a_un.answer': '5' }, 'un.answer', measured)).toEqual({ ok: true, decision: { callId: 7, override: null } });
    expect(ringDecisionOf({ 'a_un.answer': ' 5.0 ' }, 'un.answer', measured)).toEqual({ ok: true, decision: { callId: 7, override: null } });
  });

  it('another figure without a reason: an error on the reason field, naming the measured figure', () => {
    expect(ringDecisionOf({ 'a_un.answer': '7' }, 'un.answer', measured)).toEqual({
      ok: false,
      error: { field: 'ring_reason', key: 'score.error.ringReason', params: { seconds: 5 } },
    });
    expect(ringDecisionOf({ 'a_un.answer': '7', ring_reason: '   ' }, 'un.answer', measured)).toMatchObject({ ok: false });
  });

  it('another figure with a reason: an override, the reason trimmed', () => {
    expect(ringDecisionOf({ 'a_un.answer': '12.5', ring_reason: ' 總機轉接 ' }, 'un.answer', measured)).toEqual({
      ok: true,
      decision: { callId: 7, override: { seconds: 12.5, reason: '總機轉接' } },
    });
  });

  it('"not applicable" instead of the figure is an override too, without seconds', () => {
    expect(ringDecisionOf({ 'na_sb.menu': 'na', ring_reason: '沒有語音選單' }, 'sb.menu', measured)).toEqual({
      ok: true,
      decision: { callId: 7, override: { seconds: null, reason: '沒有語音選單' } },
    });
  });

  it('a reason over 1000 characters is refused', () => {
    expect(ringDecisionOf({ 'a_un.answer': '7', ring_reason: 'x'.repeat(1001) }, 'un.answer', measured)).toEqual({
      ok: false,
      error: { field: 'ring_reason', key: 'validation.tooLong' },
    });
  });

  it('nothing to decide: nothing measured, no figure from the events, or an empty or malformed answer (the sheet reports that)', () => {
    expect(ringDecisionOf({ 'a_un.answer': '7' }, 'un.answer', null)).toEqual({ ok: true, decision: null });
    expect(ringDecisionOf({ 'a_un.answer': '7' }, 'un.answer', { ...measured, seconds: null, source: 'missing' })).toEqual({ ok: true, decision: null });
    expect(ringDecisionOf({ 'a_un.answer': '7' }, null, measured)).toEqual({ ok: true, decision: null });
    expect(ringDecisionOf({ 'a_un.answer': '' }, 'un.answer', measured)).toEqual({ ok: true, decision: null });
    expect(ringDecisionOf({ 'a_un.answer': 'five' }, 'un.answer', measured)).toEqual({ ok: true, decision: null });
    expect(ringDecisionOf(undefined, 'un.answer', measured)).toEqual({ ok: true, decision: null });
  });
});
