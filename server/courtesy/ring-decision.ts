import type { Db } from '../platform/db';
import type { FieldError } from '../platform/http';
import type { RingTimeFlag, RingTimeSource } from '../telephony/ring-time';
import type { Part } from './planner';
import { itemsOfParts } from './score-form';
import type { VersionedSheet } from './scoresheet';

/**
 * The scoring form's answer-speed item and the ring time a call through the
 * bridge measured. The telephony domain provides the figure (RingTimes); the
 * form shows it pre-filled with its source, and the tester either sends it
 * as it is (confirming it) or types another figure with a reason. That
 * decision is stored with the call (calls.ring_*), in the result's transaction;
 * the result's revision keeps the figure scored, as it always has.
 */

/** The ring time a call through the bridge measured for an assignment, as the scoring form shows it. */
export interface MeasuredRing {
  callId: number;
  /** Whole seconds; null when the events could not tell (the tester types it). */
  seconds: number | null;
  source: RingTimeSource;
  needsConfirmation: boolean;
  flags: RingTimeFlag[];
}

/** What the tester did with a measured figure when sending the sheet: kept it, or typed another with a reason. */
export interface RingDecision {
  callId: number;
  /** seconds null: the tester marked the item "not applicable". */
  override: { seconds: number | null; reason: string } | null;
}

/**
 * Measured ring times, provided by the telephony domain (null in manual mode).
 * The tester's decision is stored with the call, in the result's transaction.
 */
export interface RingTimes {
  measuredFor(assignmentId: number): Promise<MeasuredRing | null>;
  recordDecision(decision: RingDecision, at: string, trx: Db): Promise<void>;
}

/** The measured item the bridge's ring time goes into: the part's first (the answer speed). */
export function ringItemOf(sheet: VersionedSheet, part: Part): string | null {
  return itemsOfParts(sheet.sheet, [part]).find((i) => i.kind === 'measured')?.key ?? null;
}

const SECONDS = /^\d+(\.\d)?$/;

/**
 * Compares the figure sent for the ring item with the measured one: the same
 * figure confirms it; another needs a reason (field ring_reason). Nothing to
 * decide when nothing was measured, or when the field is empty or malformed
 * (the sheet's own check reports that).
 */
export function ringDecisionOf(
  body: unknown,
  itemKey: string | null,
  measured: MeasuredRing | null,
): { ok: true; decision: RingDecision | null } | { ok: false; error: FieldError } {
  if (!itemKey || !measured || measured.seconds === null) return { ok: true, decision: null };
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : '');
  const raw = text(`a_${itemKey}`);
  const notApplicable = text(`na_${itemKey}`) === 'na';
  if (!notApplicable && !SECONDS.test(raw)) return { ok: true, decision: null };
  if (!notApplicable && Number(raw) === measured.seconds) return { ok: true, decision: { callId: measured.callId, override: null } };
  const reason = text('ring_reason');
  if (reason === '') return { ok: false, error: { field: 'ring_reason', key: 'score.error.ringReason', params: { seconds: measured.seconds } } };
  if (reason.length > 1000) return { ok: false, error: { field: 'ring_reason', key: 'validation.tooLong' } };
  return { ok: true, decision: { callId: measured.callId, override: { seconds: notApplicable ? null : Number(raw), reason } } };
}
