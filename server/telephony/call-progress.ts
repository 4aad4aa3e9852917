/**
 * Where a bridged call stands, computed from what is stored: whether Twilio
 * accepted the call, and the raw status callbacks of both legs (the tester's
 * and the unit's). Like the ring time, the stage is recomputed from all the
 * events each time one arrives, so a repeated or late event cannot leave a
 * stale stage behind.
 */
import { summariseCall, type CallEvent, type CallSummary } from './ring-time';

export const CALL_STAGES = [
  'requested',
  'failed',
  'calling-tester',
  'tester-ringing',
  'tester-missed',
  'dialling-unit',
  'unit-ringing',
  'connected',
  'unit-no-answer',
  'unit-busy',
  'unit-failed',
  'canceled',
  'ended',
] as const;
export type CallStage = (typeof CALL_STAGES)[number];

/** Stages after which nothing more happens on the call. */
export const FINAL_STAGES: readonly CallStage[] = ['failed', 'tester-missed', 'unit-no-answer', 'unit-busy', 'unit-failed', 'canceled', 'ended'];

export function isCallStage(value: unknown): value is CallStage {
  return typeof value === 'string' && (CALL_STAGES as readonly string[]).includes(value);
}

export interface CallProgressInput {
  /** Twilio accepted the call (the REST answer gave its SID). */
  placed: boolean;
  /** Twilio refused it, or could not be reached. */
  failed: boolean;
  testerEvents: readonly CallEvent[];
  /** Events of the unit's leg only (one CallSid). */
  unitEvents: readonly CallEvent[];
  /** The unit is dialled with an extension: its switchboard answers first. */
  answeredByMenu: boolean;
}

export interface CallProgress {
  stage: CallStage;
  final: boolean;
  /** Outcome and ring time of the unit's leg; null until it has an event. */
  unit: CallSummary | null;
}

const ended = (events: readonly CallEvent[]) => events.some((e) => e.status === 'completed');

export function callProgress(input: CallProgressInput): CallProgress {
  const unit = input.unitEvents.length > 0 ? summariseCall(input.unitEvents, { answeredByMenu: input.answeredByMenu }) : null;
  const stage = stageOf(input, unit);
  return { stage, final: FINAL_STAGES.includes(stage), unit };
}

function stageOf(input: CallProgressInput, unit: CallSummary | null): CallStage {
  if (input.failed) return 'failed';
  const tester = input.testerEvents.length > 0 ? summariseCall(input.testerEvents) : null;
  // The tester's leg is over: hung up after talking, or never picked up.
  const testerGone = ended(input.testerEvents) || (tester !== null && tester.outcome !== 'answered' && tester.outcome !== 'pending');
  if (unit) {
    switch (unit.outcome) {
      case 'answered':
        return ended(input.unitEvents) || testerGone ? 'ended' : 'connected';
      case 'no-answer':
        return 'unit-no-answer';
      case 'busy':
        return 'unit-busy';
      case 'failed':
        return 'unit-failed';
      case 'canceled':
        // The tester hung up while the unit was still ringing: the unit did not fail to answer.
        return 'canceled';
      case 'pending':
        if (testerGone) return 'ended';
        return input.unitEvents.some((e) => e.status === 'ringing') ? 'unit-ringing' : 'dialling-unit';
    }
  }
  if (tester) {
    if (tester.outcome === 'answered') return testerGone ? 'ended' : 'dialling-unit';
    if (tester.outcome !== 'pending') return 'tester-missed';
    return input.testerEvents.some((e) => e.status === 'ringing') ? 'tester-ringing' : 'calling-tester';
  }
  return input.placed ? 'calling-tester' : 'requested';
}
