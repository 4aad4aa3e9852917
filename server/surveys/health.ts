import type { Survey } from './definition';
import type { Channel } from './repo';

/**
 * Channel health: a counter whose button box was tampered with goes quiet or
 * one-sided. Quiet: nothing in the last 7 days where the 4 weeks before had at
 * least one answer a week. One-sided: over 90% of Likert answers on the same
 * point, with at least 20 of them. Staff channels with fewer than 5 answers
 * show no shares (suppression).
 */
export const ONE_SIDED_SHARE = 0.9;
export const ONE_SIDED_MIN_N = 20;
export const STAFF_MIN_N = 5;

export interface ChannelHealth {
  channel: Channel;
  last: string | null;
  lastWeek: number;
  /** Share of Likert answers on the scale's lowest point, or null when none (or suppressed). */
  lowestShare: number | null;
  likertAnswers: number;
  quiet: boolean;
  oneSided: boolean;
  suppressed: boolean;
}

export function channelHealth(input: {
  channel: Channel;
  survey: Survey;
  last: string | null;
  lastWeek: number;
  previousFourWeeks: number;
  values: ReadonlyMap<string, number>;
  /** Counted responses over the same months as the values. */
  respondents: number;
}): ChannelHealth {
  const lowest = Math.min(...Object.values(input.survey.scales).flatMap((s) => s.points.map((p) => p.value)));
  const numeric = [...input.values].filter(([v]) => /^-?\d+$/.test(v));
  const total = numeric.reduce((sum, [, n]) => sum + n, 0);
  const top = numeric.reduce((max, [, n]) => Math.max(max, n), 0);
  // The staff survey is suppressed wherever it is answered, not only on staff channels.
  const suppressed = (input.channel.mode === 'staff' || input.survey.kind === 'staff') && input.respondents < STAFF_MIN_N;
  return {
    channel: input.channel,
    last: input.last,
    lastWeek: input.lastWeek,
    lowestShare: total === 0 || suppressed ? null : (input.values.get(String(lowest)) ?? 0) / total,
    likertAnswers: suppressed ? 0 : total,
    quiet: input.channel.active && input.lastWeek === 0 && input.previousFourWeeks >= 4,
    oneSided: !suppressed && total >= ONE_SIDED_MIN_N && top / total > ONE_SIDED_SHARE,
    suppressed,
  };
}
