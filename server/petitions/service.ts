import type { CurrentUser } from '../auth/current-user';
import { reachPath } from '../auth/current-user';
import type { UnitsRepo, Unit } from '../org/units-repo';
import type { AppSettingsRepo } from '../platform/app-settings';
import { audit } from '../platform/audit';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { NotFoundError } from '../platform/errors';
import { taiwanDateTime, taiwanMonth } from '../platform/roc-date';
import type { Channel } from '../surveys/repo';
import type { SubmitOutcome, SurveysService } from '../surveys/service';
import { publicUrl } from '../telephony/client';
import { checkCase, parseCasesCsv, planCases, type CaseInput, type CaseIssue, type CasePlan } from './case-import';
import type { Invitation, PetitionsRepo } from './repo';
import { responseRates, type ResponseRate } from './response-rate';
import type { SmsOutbox } from '../telephony/sms-outbox';
import type { SmsStatus } from '../telephony/sms-status';
import { hashPin, hashToken, newPin, newToken, sameHash, TOKEN_PATTERN } from './secrets';
import { invitationSmsBody } from './sms-text';

const DAY = 86_400_000;
/** Wrong PINs for one case before PIN entry stops for it (the link keeps working). */
export const MAX_PIN_FAILURES = 5;
/** PIN tries (right or wrong, any case) allowed from one address in PIN_SOURCE_WINDOW_MS. */
export const PIN_SOURCE_LIMIT = 30;
export const PIN_SOURCE_WINDOW_MS = 10 * 60_000;

export type InvitationState =
  | { kind: 'open'; invitation: Invitation; channel: Channel }
  | { kind: 'answered' | 'expired' | 'unknown' };

export type PinOutcome = { kind: 'ok'; token: string } | { kind: 'wrong' | 'locked' | 'answered' | 'expired' };

export interface InvitationView extends Invitation {
  /** The SMS's and the reminder's delivery status, from the outbox. */
  sms: SmsStatus | null;
  reminder: SmsStatus | null;
}

/**
 * Closed petition cases and their single-use survey invitations: registering
 * (one by one or by CSV, all or nothing), the link and the case number + PIN,
 * answering once through the survey's own submission, the SMS and its one
 * reminder, erasing phone numbers, and the response rate.
 */
export class PetitionsService {
  constructor(
    private readonly db: Db,
    private readonly repo: PetitionsRepo,
    private readonly surveys: SurveysService,
    private readonly units: UnitsRepo,
    private readonly settings: AppSettingsRepo,
    private readonly config: Config,
    private readonly secret: string,
    private readonly clock: () => Date,
    private readonly outbox: SmsOutbox,
  ) {}

  private reach(user: CurrentUser): string {
    const reach = reachPath(user);
    if (reach === null || (user.role !== 'admin' && user.role !== 'manager')) throw new NotFoundError();
    return reach;
  }

  /** The survey petition cases are asked: the first survey of kind "case". */
  caseSurveyKey(): string {
    const found = this.surveys.surveys.find((s) => s.survey.kind === 'case');
    if (!found) throw new NotFoundError();
    return found.survey.key;
  }

  async unitsInReach(user: CurrentUser): Promise<Unit[]> {
    return (await this.units.listInReach(this.reach(user))).filter((u) => u.type !== 'switchboard');
  }

  private today(): string {
    return taiwanDateTime(this.clock()).date;
  }

  private async plan(user: CurrentUser, inputs: CaseInput[], issues: CaseIssue[], badLines: { line: number; unitCode: string }[], trx: Db): Promise<CasePlan> {
    const units = new Map((await this.units.listInReach(this.reach(user), trx)).filter((u) => u.type !== 'switchboard').map((u) => [u.code, u.id]));
    const stored = await this.repo.storedCaseNumbers(inputs.map((i) => i.caseNumber), trx);
    return planCases(inputs, issues, stored, units, badLines);
  }

  async previewImport(user: CurrentUser, csv: string, trx: Db = this.db): Promise<CasePlan> {
    const parsed = parseCasesCsv(csv, this.today());
    return this.plan(user, parsed.inputs, parsed.issues, parsed.badLines, trx);
  }

  /** Registers every case of the file in one transaction, after checking it again: any problem and nothing is stored. */
  async applyImport(user: CurrentUser, csv: string): Promise<CasePlan> {
    const plan = await this.db.transaction(async (trx) => {
      const p = await this.previewImport(user, csv, trx);
      if (p.issues.length === 0) await this.store(user, p.cases, trx);
      return p;
    });
    return plan;
  }

  /** One case from the form (fields named as the CSV's columns). */
  async register(user: CurrentUser, values: Record<string, string>): Promise<CasePlan> {
    const checked = checkCase(1, values, this.today());
    return this.db.transaction(async (trx) => {
      const p = await this.plan(user, checked.input ? [checked.input] : [], checked.issues, [], trx);
      if (p.issues.length === 0) await this.store(user, p.cases, trx);
      return p;
    });
  }

  private async store(user: CurrentUser, cases: CasePlan['cases'], trx: Db): Promise<void> {
    const now = this.clock();
    const iso = now.toISOString();
    const settings = await this.settings.get(trx);
    const surveyKey = this.caseSurveyKey();
    const month = taiwanMonth(now);
    const expiresAt = new Date(now.getTime() + settings.invitationValidDays * DAY).toISOString();
    for (const c of cases) {
      const caseId = await this.repo.insertCase({ caseNumber: c.caseNumber, unitId: c.unitId, closedOn: c.closedOn, surveyKey, createdBy: user.id }, iso, trx);
      const channelId = await this.surveys.ownChannel(surveyKey, c.unitId, 'invitation', trx);
      const token = newToken();
      const pin = newPin();
      const invitationId = await this.repo.insertInvitation(
        caseId,
        { channelId, tokenHash: hashToken(token), pinHash: hashPin(this.secret, c.caseNumber, pin), token, pin, phoneE164: c.phoneE164, phoneKind: c.phoneKind, month, expiresAt },
        iso,
        trx,
      );
      // Landlines go to the outbox too, which skips them with the reason (a keypad call is offered instead).
      if (c.phoneE164 && this.outbox.enabled) await this.queueSms({ id: invitationId, unitId: c.unitId, to: c.phoneE164, caseNumber: c.caseNumber, token, pin }, false, trx);
    }
    await audit(trx, { actorId: user.id, action: 'petition.register', subject: 'petition_cases', detail: { count: cases.length }, at: iso });
  }

  /** Queues the invitation (or its reminder) in the SMS outbox, in the caller's transaction. */
  private async queueSms(o: { id: number; unitId: number; to: string; caseNumber: string; token: string; pin: string }, reminder: boolean, trx: Db): Promise<void> {
    const which = reminder ? 'reminder' : 'first';
    const body = invitationSmsBody({
      brand: await this.outbox.brandFor(o.unitId, trx),
      caseNumber: o.caseNumber,
      link: publicUrl(this.config.publicBaseUrl, `/i/${o.token}`),
      entryUrl: publicUrl(this.config.publicBaseUrl, '/i'),
      pin: o.pin,
      reminder,
    });
    const key = `invitation:${o.id}:${which}`;
    const queued = await this.outbox.enqueue({ to: o.to, body, purpose: 'invitation', reference: key, unitId: o.unitId, dedupeKey: key }, trx);
    await this.repo.setSms(o.id, which, queued.id, this.clock().toISOString(), trx);
  }

  /** What a link leads to: the questionnaire, or why not. */
  async open(token: string): Promise<InvitationState> {
    if (!TOKEN_PATTERN.test(token)) return { kind: 'unknown' };
    const inv = await this.repo.byTokenHash(hashToken(token));
    return this.stateOf(inv);
  }

  private async stateOf(inv: Invitation | undefined): Promise<InvitationState> {
    if (!inv) return { kind: 'unknown' };
    if (inv.status === 'answered') return { kind: 'answered' };
    if (inv.status === 'expired' || inv.expiresAt <= this.clock().toISOString()) return { kind: 'expired' };
    const channel = await this.surveys.channelById(inv.channelId);
    if (!channel) return { kind: 'unknown' };
    return { kind: 'open', invitation: inv, channel };
  }

  private pinSources = new Map<string, number[]>();

  /**
   * Whether an address may try one more PIN now (and counts the try). Kept in
   * memory like the surveys' source limit, keyed by the daily salted hash of
   * the address; behind a load balancer each instance counts what it sees.
   * The per-case count in the database is what really bounds guessing.
   */
  private pinTryAllowed(ip: string, now: Date): boolean {
    const source = this.surveys.sourceHash(ip, now);
    const at = now.getTime();
    const since = at - PIN_SOURCE_WINDOW_MS;
    const times = (this.pinSources.get(source) ?? []).filter((x) => x > since);
    const allowed = times.length < PIN_SOURCE_LIMIT;
    if (allowed) times.push(at);
    this.pinSources.set(source, times);
    if (this.pinSources.size > 100_000) for (const [k, v] of this.pinSources) if ((v[v.length - 1] ?? 0) <= since) this.pinSources.delete(k);
    return allowed;
  }

  /**
   * The case number and PIN typed on /i: the link's token when they match an
   * open invitation. Each try is claimed in the database before the PIN is
   * compared (one conditional update), so parallel tries cannot all slip in
   * under the limit; a right PIN gives its try back.
   */
  async byPin(caseNumber: string, pin: string, ip: string): Promise<PinOutcome> {
    if (!this.pinTryAllowed(ip, this.clock())) return { kind: 'locked' };
    const inv = await this.repo.byCaseNumber(caseNumber);
    if (!inv) return { kind: 'wrong' };
    if (!(await this.repo.claimPinTry(inv.id, MAX_PIN_FAILURES))) return { kind: 'locked' };
    if (!sameHash(hashPin(this.secret, inv.caseNumber, pin), inv.pinHash)) return { kind: 'wrong' };
    await this.repo.returnPinTry(inv.id);
    const state = await this.stateOf(inv);
    if (state.kind === 'answered' || state.kind === 'expired') return { kind: state.kind };
    if (state.kind !== 'open' || !inv.token) return { kind: 'expired' };
    return { kind: 'ok', token: inv.token };
  }

  /**
   * Checks and stores the answer through the survey's own submission, and
   * uses the invitation up in the same transaction: a second answer, at the
   * same moment or later, stores nothing.
   */
  async answer(invitation: Invitation, channel: Channel, body: unknown, ip: string): Promise<SubmitOutcome> {
    return this.surveys.submit(channel, body, { ip }, (trx, now) => this.repo.spend(invitation.id, now, taiwanMonth(now), trx));
  }

  /**
   * The job: pending invitations past their expiry become expired and lose
   * the phone number, token and PIN (answered ones lost them when answered);
   * then the outbox's copies of their messages (number and text) are erased,
   * except messages still waiting to be sent, which a later run erases.
   */
  async expireAndErase(now: Date): Promise<{ expired: number; erased: number }> {
    const expired = await this.repo.expire(now.toISOString());
    let erased = 0;
    const done: number[] = [];
    for (const inv of await this.repo.smsToErase()) {
      const waiting = inv.smsIds.length > 0 ? await this.outbox.erase(inv.smsIds) : [];
      if (waiting.length === 0) done.push(inv.id);
      erased += inv.smsIds.length - waiting.length;
    }
    await this.repo.markSmsErased(done);
    return { expired, erased };
  }

  /** The job: one reminder to pending invitations whose first SMS was queued the set number of days ago. */
  async remind(now: Date): Promise<number> {
    const settings = await this.settings.get();
    if (settings.invitationReminderDays === 0 || !this.outbox.enabled) return 0;
    const due = await this.repo.dueForReminder(new Date(now.getTime() - settings.invitationReminderDays * DAY).toISOString(), now.toISOString());
    const statuses = await this.outbox.statuses(due.map((i) => i.smsId).filter((x): x is number => x !== null));
    let sent = 0;
    for (const inv of due) {
      const { phoneE164, token, pin } = inv;
      // Only where the first SMS could go out: a skipped one (a landline) would be skipped again.
      const first = inv.smsId === null ? undefined : statuses.get(inv.smsId);
      if (!phoneE164 || !token || !pin || first === undefined || first === 'skipped') continue;
      // The list may be stale: the invitation may have been answered (and its messages erased) since.
      // Claimed in the transaction with a conditional update, so no reminder follows an answer.
      const queued = await this.db.transaction(async (trx) => {
        if (!(await this.repo.claimReminder(inv.id, now.toISOString(), trx))) return false;
        await this.queueSms({ id: inv.id, unitId: inv.unitId, to: phoneE164, caseNumber: inv.caseNumber, token, pin }, true, trx);
        return true;
      });
      if (queued) sent += 1;
    }
    return sent;
  }

  /** The invitations in the user's reach, newest first, with their SMS delivery statuses. */
  async list(user: CurrentUser): Promise<InvitationView[]> {
    const list = await this.repo.inReach(this.reach(user));
    const statuses = await this.outbox.statuses(list.flatMap((i) => [i.smsId, i.reminderSmsId]).filter((x): x is number => x !== null));
    return list.map((i) => ({ ...i, sms: i.smsId === null ? null : (statuses.get(i.smsId) ?? null), reminder: i.reminderSmsId === null ? null : (statuses.get(i.reminderSmsId) ?? null) }));
  }

  async invitation(user: CurrentUser, id: number): Promise<Invitation> {
    const inv = await this.repo.byId(id);
    if (!inv || !inv.unitPath.startsWith(this.reach(user))) throw new NotFoundError();
    return inv;
  }

  /**
   * The response rate per survey, unit and month (the month invitations were
   * made): answered among the delivered / delivered (response-rate.ts).
   * `unitIds` null: all units.
   */
  async responseRates(unitIds: number[] | null, months: string[], surveyKey?: string): Promise<ResponseRate[]> {
    const inputs = await this.repo.rateInputs(unitIds, months, surveyKey);
    const statuses = await this.outbox.statuses(inputs.flatMap((i) => i.smsIds));
    const delivered = new Set([...statuses].filter(([, status]) => status === 'delivered').map(([id]) => id));
    return responseRates(inputs, delivered);
  }
}
