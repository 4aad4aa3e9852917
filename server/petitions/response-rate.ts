import type { RateInput } from './repo';

/**
 * The response rate of petition invitations per survey, unit and month (the
 * month the invitation was made): answered / delivered, where an invitation
 * counts as delivered when its SMS or its reminder was delivered or a keypad
 * call reached the petitioner. Only answers to delivered invitations count
 * on top, so the rate is a proportion; answers that came by the PIN on paper
 * alone are counted apart (answered).
 */
export interface ResponseRate {
  surveyKey: string;
  unitId: number;
  month: string;
  invited: number;
  delivered: number;
  /** Every answered invitation, delivered or not. */
  answered: number;
  /** Answered among the delivered: the rate's numerator. */
  answeredDelivered: number;
  /** answeredDelivered / delivered; null when nothing was delivered. */
  rate: number | null;
}

export function responseRates(inputs: readonly RateInput[], deliveredSms: ReadonlySet<number>): ResponseRate[] {
  const groups = new Map<string, ResponseRate>();
  for (const i of inputs) {
    const key = `${i.surveyKey}\u0000${i.unitId}\u0000${i.month}`;
    const g = groups.get(key) ?? { surveyKey: i.surveyKey, unitId: i.unitId, month: i.month, invited: 0, delivered: 0, answered: 0, answeredDelivered: 0, rate: null };
    const delivered = i.callAnswered || i.smsIds.some((id) => deliveredSms.has(id));
    g.invited += 1;
    if (delivered) g.delivered += 1;
    if (i.answered) g.answered += 1;
    if (i.answered && delivered) g.answeredDelivered += 1;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => ({ ...g, rate: g.delivered === 0 ? null : g.answeredDelivered / g.delivered }))
    .sort((a, b) => a.surveyKey.localeCompare(b.surveyKey) || a.unitId - b.unitId || a.month.localeCompare(b.month));
}
