import type { Logger } from 'pino';
import type { CurrentUser } from '../auth/current-user';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { translator, type Lang, type MessageKey } from '../platform/i18n';
import { taiwanMonth } from '../platform/roc-date';
import type { Channel } from '../surveys/repo';
import type { SurveysService } from '../surveys/service';
import type { Answers } from '../surveys/submission';
import { publicUrl, type TelephonyClient } from '../telephony/client';
import { isQuietTime } from '../telephony/sms-rules';
import { maskDigitRuns } from '../telephony/sms-status';
import { gatherTwiml, sayAllAndHangupTwiml, type Spoken } from '../telephony/twiml';
import { ENGLISH_KEY, finished, keypadQuestions, languageOf, pressKey, type KeypadQuestion, type KeypadState } from './keypad';
import type { KeypadSession, PetitionsRepo } from './repo';
import type { PetitionsService } from './service';

type Form = Readonly<Record<string, unknown>>;
const text = (params: Form, key: string): string => (typeof params[key] === 'string' ? (params[key] as string) : '');

/** A keypad session with no step for this long is over (its status callback was lost): no call waits that long for a key. */
export const KEYPAD_IDLE_MS = 30 * 60_000;

/** Twilio's call statuses that mean the call is over. */
const FINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

const voice = (lang: Lang): Spoken['language'] => (lang === 'en' ? 'en-US' : 'zh-TW');

export type CallStart = { ok: true } | { ok: false; key: MessageKey };

/**
 * The phone keypad survey (Twilio <Gather>): a caller on the inbound number
 * of a "phone" channel, or a petitioner called instead of sent an SMS, hears
 * each question and presses a key. Each webhook moves the stored session one
 * step (keypad.ts); the answers become a response only when the call ends:
 * all of them after the last question, or on a hang-up what was answered if
 * the survey allows partial answers, else nothing. Webhooks are signed
 * (routes) and each is checked to belong to the session's call.
 */
export class KeypadService {
  constructor(
    private readonly db: Db,
    private readonly repo: PetitionsRepo,
    private readonly surveys: SurveysService,
    private readonly petitions: PetitionsService,
    private readonly config: Config,
    private readonly client: TelephonyClient | null,
    private readonly clock: () => Date,
    private readonly logger: Logger,
  ) {}

  get calling(): boolean {
    return this.client !== null && this.config.twilio !== null;
  }

  private url(path: string): string {
    return publicUrl(this.config.publicBaseUrl, path);
  }

  private questions(channel: Channel): KeypadQuestion[] {
    return keypadQuestions(this.surveys.survey(channel.surveyKey).survey);
  }

  private closed(lang: Lang = 'zh-TW', key: MessageKey = 'keypad.closed'): string {
    return sayAllAndHangupTwiml([{ text: translator(lang)(key), language: voice(lang) }]);
  }

  /** The greeting, with the key for English, then listening for that key. */
  private greeting(session: KeypadSession, channel: Channel): string {
    const zh = translator('zh-TW');
    const en = translator('en');
    const survey = this.surveys.survey(channel.surveyKey).survey;
    return gatherTwiml({
      actionUrl: this.url(`/twilio/keypad/sessions/${session.id}/language`),
      prompts: [
        { text: zh('keypad.welcome', { org: channel.agencyNameZh || channel.unitNameZh, survey: survey.title['zh-TW'] }), language: 'zh-TW' },
        { text: en('keypad.english', { key: ENGLISH_KEY }), language: 'en-US' },
      ],
      timeoutSeconds: 4,
    });
  }

  /** The current question (after a word that the last key was not understood, on a retry). */
  private question(session: KeypadSession, questions: KeypadQuestion[], state: KeypadState, lang: Lang, intro: boolean): string {
    const t = translator(lang);
    const q = questions[state.position] as KeypadQuestion;
    const prompts: Spoken[] = [];
    if (intro) prompts.push({ text: t('keypad.intro', { count: questions.length }), language: voice(lang) });
    if (state.retried) prompts.push({ text: t('keypad.invalid'), language: voice(lang) });
    const options = q.options.map((o) => t('keypad.option', { label: o.label[lang], digit: o.digit })).join(t('keypad.separator'));
    prompts.push({ text: t('keypad.question', { n: state.position + 1, text: q.text[lang], options }), language: voice(lang) });
    return gatherTwiml({ actionUrl: this.url(`/twilio/keypad/sessions/${session.id}/answer`), prompts });
  }

  private async start(callSid: string, channel: Channel | undefined, invitationId: number | null): Promise<string> {
    if (!/^CA[0-9a-f]{32}$/i.test(callSid) || !channel || !channel.active || this.questions(channel).length === 0) return this.closed();
    const session = await this.repo.insertSession({ callSid, channelId: channel.id, invitationId }, this.clock().toISOString());
    if (session.status !== 'active') return this.closed();
    return this.greeting(session, channel);
  }

  /** A call to the inbound number of a keypad channel (Twilio's voice URL for the number). */
  async incoming(code: string, params: Form): Promise<string> {
    const channel = /^[A-Z0-9]{4,16}$/.test(code) ? await this.surveys.channelByCode(code) : undefined;
    return this.start(text(params, 'CallSid'), channel?.mode === 'phone' ? channel : undefined, null);
  }

  /** The petitioner answered our call: the invitation's survey, if it is still open. */
  async outgoing(invitationId: number, params: Form): Promise<string> {
    const inv = await this.repo.byId(invitationId);
    if (!inv) return this.closed();
    await this.repo.setCallStatus(inv.id, 'answered', true);
    if (inv.status === 'answered') return this.closed('zh-TW', 'keypad.answered');
    if (inv.status !== 'pending' || inv.expiresAt <= this.clock().toISOString()) return this.closed();
    // Answers by phone go to the unit's keypad channel of the survey (made on first use), as any keypad answer.
    const channelId = await this.db.transaction((trx) => this.surveys.ownChannel(inv.surveyKey, inv.unitId, 'phone', trx));
    return this.start(text(params, 'CallSid'), await this.surveys.channelById(channelId), inv.id);
  }

  /** The session a webhook names, if it is active and the webhook is about its call. */
  private async active(sessionId: number, params: Form): Promise<{ session: KeypadSession; channel: Channel } | null> {
    const session = await this.repo.session(sessionId);
    if (!session || session.status !== 'active' || session.callSid !== text(params, 'CallSid')) return null;
    const channel = await this.surveys.channelById(session.channelId);
    return channel ? { session, channel } : null;
  }

  async language(sessionId: number, params: Form): Promise<string> {
    const found = await this.active(sessionId, params);
    if (!found) return this.closed();
    const lang = languageOf(text(params, 'Digits'));
    const state: KeypadState = { position: 0, retried: false, answers: {} };
    await this.repo.saveStep(found.session.id, { lang, ...state }, this.clock().toISOString());
    return this.question({ ...found.session, lang }, this.questions(found.channel), state, lang, true);
  }

  async answer(sessionId: number, params: Form): Promise<string> {
    const found = await this.active(sessionId, params);
    if (!found) return this.closed();
    const { session, channel } = found;
    const lang: Lang = session.lang ?? 'zh-TW';
    const questions = this.questions(channel);
    const state = pressKey(questions, { position: session.position, retried: session.retried, answers: session.answers }, text(params, 'Digits'));
    if (!finished(questions, state)) {
      await this.repo.saveStep(session.id, { lang, ...state }, this.clock().toISOString());
      return this.question(session, questions, state, lang, false);
    }
    await this.finish(session, channel, state.answers, text(params, 'From'));
    return sayAllAndHangupTwiml([{ text: translator(lang)('keypad.thanks'), language: voice(lang) }]);
  }

  /**
   * Ends the session and stores its answers with it, in one transaction: the
   * session is claimed (only one request can end it), and for an invitation
   * the invitation is used up too. No answers: nothing stored.
   */
  private async finish(session: KeypadSession, channel: Channel, digits: Record<string, string>, caller: string | null): Promise<void> {
    const answers: Answers = new Map(Object.entries(digits).map(([key, value]) => [key, { value, text: null }]));
    if (answers.size === 0) {
      await this.repo.closeSession(session.id);
      return;
    }
    const claim = async (trx: Db, at: Date): Promise<boolean> => {
      if (!(await this.repo.closeSession(session.id, trx))) return false;
      return session.invitationId === null ? true : this.repo.spend(session.invitationId, at, taiwanMonth(at), trx);
    };
    // An invitation's call is its own limit (one answer); an inbound caller counts by number (SOURCE_LIMIT, bursts flagged).
    const outcome = await this.surveys.storeKeypadAnswers(channel, answers, session.invitationId === null ? caller || null : null, claim);
    if (outcome.kind !== 'stored') await this.repo.closeSession(session.id);
  }

  /**
   * Twilio's status callback for a keypad call (inbound numbers point theirs
   * here; our outgoing calls add ?invitation=<id>). A call that ends before
   * the last question keeps what was answered only if the survey allows it.
   */
  async status(params: Form, invitationId: number | null): Promise<void> {
    const callStatus = text(params, 'CallStatus');
    if (invitationId !== null && callStatus !== '' && callStatus !== 'completed') await this.repo.setCallStatus(invitationId, callStatus.slice(0, 20), false);
    if (!FINAL.has(callStatus)) return;
    const session = await this.repo.sessionBySid(text(params, 'CallSid'));
    if (!session || session.status !== 'active') return;
    const channel = await this.surveys.channelById(session.channelId);
    if (!channel) return;
    const partial = this.surveys.survey(channel.surveyKey).survey.allowPartial;
    await this.finish(session, channel, partial ? session.answers : {}, text(params, 'From'));
  }

  /**
   * The job: sessions with no step for KEYPAD_IDLE_MS, whose call's status
   * callback never came, are ended as a hang-up would end them: what was
   * answered is stored if the survey allows partial answers, else nothing,
   * and the session (answers, call SID, invitation) is deleted either way.
   */
  async finishIdle(now: Date): Promise<number> {
    const idle = await this.repo.idleSessions(new Date(now.getTime() - KEYPAD_IDLE_MS).toISOString());
    for (const session of idle) {
      const channel = await this.surveys.channelById(session.channelId);
      if (!channel) {
        await this.repo.closeSession(session.id);
        continue;
      }
      const partial = this.surveys.survey(channel.surveyKey).survey.allowPartial;
      // No webhook, so no caller number: counted by no source.
      await this.finish(session, channel, partial ? session.answers : {}, null);
    }
    return idle.length;
  }

  /** Calls a petitioner (a landline, where no SMS can go) to take the survey by keypad. */
  async callPetitioner(user: CurrentUser, invitationId: number): Promise<CallStart> {
    const inv = await this.petitions.invitation(user, invitationId);
    const twilio = this.config.twilio;
    if (!this.client || !twilio) return { ok: false, key: 'petition.call.manual' };
    if (inv.status !== 'pending' || !inv.phoneE164) return { ok: false, key: 'petition.call.closed' };
    if (keypadQuestions(this.surveys.survey(inv.surveyKey).survey).length === 0) return { ok: false, key: 'petition.call.notPhone' };
    // Nobody is called at night or over lunch: the same quiet hours as SMS.
    if (isQuietTime(this.clock())) return { ok: false, key: 'petition.call.quiet' };
    try {
      await this.client.startSurveyCall({
        to: inv.phoneE164,
        callerId: twilio.callerId,
        twimlUrl: this.url(`/twilio/keypad/invitations/${inv.id}/outgoing`),
        statusCallbackUrl: this.url(`/twilio/keypad/status?invitation=${inv.id}`),
        timeoutSeconds: 30,
      });
    } catch (err) {
      // Twilio's 4xx texts quote the number called: only the code, the status and a masked message are logged.
      this.logger.warn({ invitationId: inv.id, ...twilioFailure(err) }, 'the keypad call could not be started');
      return { ok: false, key: 'petition.call.failed' };
    }
    await this.repo.setCallStatus(inv.id, 'queued', false);
    return { ok: true };
  }
}

/** What may be logged of a failed Twilio request: its error code, HTTP status or network code, and its message with digit runs masked. */
function twilioFailure(err: unknown): { errorCode?: number | string; httpStatus?: number; message: string } {
  const o = typeof err === 'object' && err !== null ? (err as { code?: unknown; status?: unknown }) : {};
  return {
    errorCode: typeof o.code === 'number' || typeof o.code === 'string' ? o.code : undefined,
    httpStatus: typeof o.status === 'number' ? o.status : undefined,
    message: maskDigitRuns(err instanceof Error ? err.message : String(err)),
  };
}

