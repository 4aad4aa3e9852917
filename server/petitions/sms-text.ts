import { translator } from '../platform/i18n';

/**
 * The invitation SMS, in Chinese (it goes to Taiwanese mobiles): the agency's
 * brand in brackets first, the full link (never shortened), and the case
 * number with the PIN and the entry address for people who would rather type.
 * The outbox checks the Taiwan rules again before it stores the message.
 */
export function invitationSmsBody(o: { brand: string; caseNumber: string; link: string; entryUrl: string; pin: string; reminder: boolean }): string {
  const t = translator('zh-TW');
  return o.brand + t(o.reminder ? 'petition.sms.reminder' : 'petition.sms.body', { number: o.caseNumber, link: o.link, entry: o.entryUrl, pin: o.pin });
}
