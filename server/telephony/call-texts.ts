/**
 * What the call page says, in the user's language: the same sentences for the
 * server-rendered page and for the JSON its script polls, so that the page
 * reads the same with or without JavaScript.
 */
import { MIN_MINUTES_BETWEEN_ATTEMPTS } from '../courtesy/results-service';
import type { Translate } from '../platform/i18n';
import type { CallStage } from './call-progress';
import type { RingTime, RingTimeSource } from './ring-time';
import type { CallView } from './service';

export interface CallTexts {
  stage: CallStage;
  final: boolean;
  status: string;
  outcome: string;
  ringTime: string;
  source: string;
  attempt: string;
  /** Twilio's refusal, or a note that nothing has been heard from Twilio for a while; empty otherwise. */
  problem: string;
}

const NONE = '—';

/** Where a measured figure comes from and how far to trust it. */
export function ringSourceText(ring: { seconds: number | null; source: RingTimeSource }, t: Translate): string {
  if (ring.seconds === null) return t('call.source.none');
  switch (ring.source) {
    case 'measured':
      return t('call.source.measured');
    case 'pbx':
      return t('call.source.pbx');
    case 'missing':
      return t('call.source.missing');
    case 'manual':
      return t('call.source.manual');
  }
}

function ringTimeText(view: CallView, ring: RingTime | null, t: Translate): { ringTime: string; source: string } {
  if (!ring) return { ringTime: NONE, source: NONE };
  const override = view.call.ringOverride;
  const measured = ring.seconds === null ? t('call.ring.unknown') : t('call.ring.seconds', { seconds: ring.seconds });
  if (override) {
    const typed = override.seconds === null ? t('score.notApplicable') : t('call.ring.seconds', { seconds: override.seconds });
    return { ringTime: t('call.ring.override', { typed, measured }), source: t('call.source.overridden', { reason: override.reason }) };
  }
  const source = ringSourceText(ring, t);
  return { ringTime: measured, source: view.call.ringConfirmedAt && ring.seconds !== null ? `${source} ${t('call.ring.confirmed')}` : source };
}

export function callTexts(view: CallView, t: Translate): CallTexts {
  const { call, progress } = view;
  const unit = progress.unit;
  const outcome = unit ? t(`call.outcome.${unit.outcome}` as const) : NONE;
  const attempt = call.attempt ? t(`call.attempt.${call.attempt}` as const, { minutes: MIN_MINUTES_BETWEEN_ATTEMPTS }) : NONE;
  let problem = '';
  if (progress.stage === 'failed') problem = t('call.error.twilio', { message: call.errorMessage ?? '', code: call.errorCode ?? NONE });
  else if (view.quiet) problem = t('call.quiet');
  return {
    stage: progress.stage,
    final: progress.final,
    status: t(`call.stage.${progress.stage}` as const),
    outcome,
    ...ringTimeText(view, unit?.outcome === 'answered' ? unit.ringTime : null, t),
    attempt,
    problem,
  };
}
