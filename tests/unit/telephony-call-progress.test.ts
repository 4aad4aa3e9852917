import fc from 'fast-check';
import { callProgress, FINAL_STAGES, type CallProgressInput, type CallStage } from '../../server/telephony/call-progress';
import { formatRfc2822, type CallEvent, type CallEventStatus } from '../../server/telephony/ring-time';

const TESTER_SID = `CA${'a'.repeat(32)}`;
const UNIT_SID = `CA${'b'.repeat(32)}`;
const START = Date.parse('2026-03-05T06:00:00Z');

/** A leg's events, numbered in the order given, `at` seconds after START. */
function leg(callSid: string, steps: [CallEventStatus, number][]): CallEvent[] {
  return steps.map(([status, at], sequenceNumber) => ({ callSid, sequenceNumber, status, timestamp: formatRfc2822(new Date(START + at * 1000)) }));
}

const input = (fields: Partial<CallProgressInput>): CallProgressInput => ({
  placed: true,
  failed: false,
  testerEvents: [],
  unitEvents: [],
  answeredByMenu: false,
  ...fields,
});

const testerAnswered = leg(TESTER_SID, [['initiated', 0], ['ringing', 1], ['in-progress', 4]]);

describe('the stage of a bridged call', () => {
  it.each<[string, Partial<CallProgressInput>, CallStage]>([
    ['not yet accepted by Twilio', { placed: false }, 'requested'],
    ['refused by Twilio', { placed: false, failed: true }, 'failed'],
    ['accepted, no event yet', {}, 'calling-tester'],
    ["the tester's phone rings", { testerEvents: leg(TESTER_SID, [['initiated', 0], ['ringing', 1]]) }, 'tester-ringing'],
    ['the tester does not pick up', { testerEvents: leg(TESTER_SID, [['initiated', 0], ['ringing', 1], ['no-answer', 31]]) }, 'tester-missed'],
    ['the tester is busy', { testerEvents: leg(TESTER_SID, [['initiated', 0], ['busy', 1]]) }, 'tester-missed'],
    ['the tester answered, the unit not dialled yet', { testerEvents: testerAnswered }, 'dialling-unit'],
    ['the unit leg started', { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5]]) }, 'dialling-unit'],
    ["the unit's phone rings", { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['ringing', 6]]) }, 'unit-ringing'],
    ['the unit answered', { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['ringing', 6], ['in-progress', 11]]) }, 'connected'],
    ['the unit hung up', { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['ringing', 6], ['in-progress', 11], ['completed', 71]]) }, 'ended'],
    ['the unit did not answer', { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['ringing', 6], ['no-answer', 36]]) }, 'unit-no-answer'],
    ['the unit was busy', { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['busy', 6]]) }, 'unit-busy'],
    ["the unit's number failed", { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['failed', 6]]) }, 'unit-failed'],
    ['the tester hung up while the unit rang', { testerEvents: testerAnswered, unitEvents: leg(UNIT_SID, [['initiated', 5], ['ringing', 6], ['canceled', 9]]) }, 'canceled'],
    [
      "the tester's completed arrived, the unit leg's end not yet",
      { testerEvents: leg(TESTER_SID, [['initiated', 0], ['ringing', 1], ['in-progress', 4], ['completed', 80]]), unitEvents: leg(UNIT_SID, [['initiated', 5], ['ringing', 6]]) },
      'ended',
    ],
    ['the tester answered and hung up before the bridge dialled', { testerEvents: leg(TESTER_SID, [['initiated', 0], ['in-progress', 4], ['completed', 6]]) }, 'ended'],
  ])('%s', (_name, fields, stage) => {
    const progress = callProgress(input(fields));
    expect(progress.stage).toBe(stage);
    expect(progress.final).toBe(FINAL_STAGES.includes(stage));
  });

  it("carries the unit leg's outcome and ring time, with the switchboard flag when the unit is dialled with an extension", () => {
    const unitEvents = leg(UNIT_SID, [['initiated', 5], ['ringing', 6], ['in-progress', 7], ['completed', 90]]);
    expect(callProgress(input({ testerEvents: testerAnswered, unitEvents })).unit?.ringTime).toMatchObject({ seconds: 1, source: 'measured' });
    expect(callProgress(input({ testerEvents: testerAnswered, unitEvents, answeredByMenu: true })).unit?.ringTime).toMatchObject({
      seconds: 1,
      source: 'pbx',
      needsConfirmation: true,
      flags: ['answeredByMenu'],
    });
  });

  it('gives the same stage and ring time whatever order the events arrive in, and however often', () => {
    const tester = leg(TESTER_SID, [['initiated', 0], ['ringing', 1], ['in-progress', 4], ['completed', 80]]);
    const unit = leg(UNIT_SID, [['initiated', 5], ['ringing', 6], ['in-progress', 13], ['completed', 79]]);
    const expected = callProgress(input({ testerEvents: tester, unitEvents: unit }));
    expect(expected).toMatchObject({ stage: 'ended', unit: { outcome: 'answered', ringTime: { seconds: 7, source: 'measured' } } });
    const deliveries = (events: CallEvent[]) => fc.array(fc.constantFrom(...events), { minLength: events.length, maxLength: events.length * 3 })
      .filter((picked) => events.every((e) => picked.includes(e)));
    fc.assert(
      fc.property(deliveries(tester), deliveries(unit), (t, u) => {
        expect(callProgress(input({ testerEvents: t, unitEvents: u }))).toEqual(expected);
      }),
    );
  });
});
