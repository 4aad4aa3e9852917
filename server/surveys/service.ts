import crypto from 'node:crypto';
import { reachPath, type CurrentUser } from '../auth/current-user';
import type { AppSettingsRepo } from '../platform/app-settings';
import type { Db } from '../platform/db';
import { GroupCommit } from '../platform/group-commit';
import { NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import { taiwanDateTime, taiwanMonth } from '../platform/roc-date';
import type { Unit, UnitsRepo } from '../org/units-repo';
import { membersOfScope, nearestAgencyId } from '../courtesy/scope';
import type { Survey, VersionedSurvey } from './definition';
import { channelHealth, type ChannelHealth } from './health';
import type { Channel, ChannelMode, NewItem, NewResponse, SurveysRepo } from './repo';
import { parseSubmission, type Answers } from './submission';

/** Public submissions from one source (hashed address) allowed in ten minutes, and the count that flags a burst. */
export const SOURCE_WINDOW_MS = 10 * 60_000;
export const SOURCE_LIMIT = 30;
export const BURST_AT = 5;

export type SubmitOutcome =
  | { kind: 'stored'; ref: string; flagged: boolean }
  /** The single-use right to answer (an invitation) was already used or has expired: nothing stored. */
  | { kind: 'spent' }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'tooFast'; retryAfterSeconds: number }
  | { kind: 'tooMany'; retryAfterSeconds: number };

/** Uses up a single-use right to answer inside the answer's transaction; false: already used or expired. */
export type Spend = (trx: Db, now: Date) => Promise<boolean>;

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function randomCode(length: number): string {
  const bytes = crypto.randomBytes(length);
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

export function hashCode(code: string): string {
  return crypto.createHash('sha256').update(code.trim().toUpperCase()).digest('hex');
}

export class SurveysService {
  private versionIds = new Map<string, number>();
  /** Web answers are written in groups: many to a transaction, each acknowledged after its commit. */
  private readonly writer = new GroupCommit<NewItem, string>((items) => this.repo.commitResponses(items));

  constructor(
    private readonly db: Db,
    private readonly repo: SurveysRepo,
    private readonly units: UnitsRepo,
    private readonly settings: AppSettingsRepo,
    readonly surveys: readonly VersionedSurvey[],
    private readonly salt: string,
    private readonly clock: () => Date,
  ) {}

  survey(key: string): VersionedSurvey {
    const found = this.surveys.find((s) => s.survey.key === key);
    if (!found) throw new NotFoundError();
    return found;
  }

  private async versionId(v: VersionedSurvey): Promise<number> {
    let id = this.versionIds.get(v.version);
    if (id === undefined) {
      id = await this.repo.ensureVersion(v, this.clock().toISOString());
      this.versionIds.set(v.version, id);
    }
    return id;
  }

  /** The day's key for source hashes, made once a day rather than from the salt's text on every request. */
  private dayKey: { day: string; key: crypto.KeyObject } | undefined;

  /** A salted hash of the client address, with a salt that changes every day (Taiwan time): never the address itself. */
  sourceHash(ip: string, now: Date): string {
    const day = taiwanDateTime(now).date;
    if (this.dayKey?.day !== day) this.dayKey = { day, key: crypto.createSecretKey(Buffer.from(`${this.salt}:${day}`, 'utf8')) };
    return crypto.createHmac('sha256', this.dayKey.key).update(ip).digest('hex').slice(0, 32);
  }

  private sources = new Map<string, number[]>();

  /**
   * Submissions this instance has seen from a source in the last ten minutes,
   * counting this one. Kept in memory: every citizen's request needs it, and a
   * database round trip per request would cost more than the rest of the work.
   * Behind a load balancer each instance counts what it sees.
   */
  private recentFrom(source: string, at: number): number {
    const since = at - SOURCE_WINDOW_MS;
    const times = (this.sources.get(source) ?? []).filter((x) => x > since);
    const count = times.length;
    if (count < SOURCE_LIMIT) times.push(at);
    this.sources.set(source, times);
    if (this.sources.size > 100_000) for (const [k, v] of this.sources) if ((v[v.length - 1] ?? 0) <= since) this.sources.delete(k);
    return count;
  }

  private channelCache = new Map<string, { at: number; channel: Channel | undefined }>();

  /** A channel by its public code, from a cache of a few seconds (every citizen's request needs it). */
  async channelByCode(code: string): Promise<Channel | undefined> {
    if (!/^[A-Z0-9]{4,16}$/.test(code)) return undefined;
    const hit = this.channelCache.get(code);
    if (hit && Date.now() - hit.at < 5000) return hit.channel;
    const channel = await this.repo.findByCode(code);
    if (this.channelCache.size > 10_000) this.channelCache.clear();
    this.channelCache.set(code, { at: Date.now(), channel });
    return channel;
  }

  /** Units a staff member may name as his or her own: the active units of the channel's agency. */
  async unitChoices(channel: Channel): Promise<Unit[]> {
    const all = await this.units.listInReach('/');
    const agencies = new Set(all.filter((u) => u.type === 'agency').map((u) => u.id));
    const agencyId = nearestAgencyId({ path: channel.unitPath }, agencies) ?? channel.unitId;
    return membersOfScope(agencyId, all).filter((u) => u.active && u.type !== 'switchboard');
  }

  /**
   * Checks and stores one public submission. Honeypot answers and bursts from
   * one source are stored but flagged and left out of statistics; a kiosk
   * takes no new answer within the minimum gap; one source may not submit
   * more than SOURCE_LIMIT times in ten minutes.
   */
  async submit(channel: Channel, body: unknown, ctx: { ip: string }, spend?: Spend): Promise<SubmitOutcome> {
    const now = this.clock();
    const v = this.survey(channel.surveyKey);
    const asksUnit = v.survey.sections.some((s) => s.questions.some((q) => q.type === 'unit'));
    const unitIds = asksUnit ? new Set((await this.unitChoices(channel)).map((u) => u.id)) : new Set<number>();
    const parsed = parseSubmission(v.survey, stripControl(body), unitIds);
    const errors: FieldError[] = parsed.ok ? [] : [...parsed.errors];
    const staffCode = fieldOf(body, 'code');
    if (channel.codesRequired && !/^[A-Z0-9]{8}$/i.test(staffCode.trim())) errors.unshift({ field: 'code', key: 'survey.error.code' });
    if (errors.length > 0 || !parsed.ok) return { kind: 'invalid', errors };

    const settings = await this.settings.get();
    if (channel.mode === 'kiosk') {
      const last = await this.repo.lastSubmission(channel.id);
      const gapMs = settings.kioskGapSeconds * 1000;
      if (last && now.getTime() - Date.parse(last) < gapMs) {
        return { kind: 'tooFast', retryAfterSeconds: Math.ceil((gapMs - (now.getTime() - Date.parse(last))) / 1000) };
      }
    }
    const source = this.sourceHash(ctx.ip, now);
    let flag: NewResponse['flag'] = fieldOf(body, 'website') !== '' ? 'honeypot' : null;
    // An invitation is its own limit (one answer); a burst from one address says nothing there.
    const tracked = channel.mode !== 'kiosk' && channel.mode !== 'invitation';
    if (tracked) {
      const recent = this.recentFrom(source, now.getTime());
      if (recent >= SOURCE_LIMIT) return { kind: 'tooMany', retryAfterSeconds: SOURCE_WINDOW_MS / 1000 };
      if (recent + 1 >= BURST_AT && flag === null) flag = 'burst';
    }
    const chosenUnit = parsed.answers.get('unit')?.value;
    const response: NewResponse = {
      surveyVersionId: await this.versionId(v),
      channelId: channel.id,
      // Staff answers carry the respondent's unit only if given (0: not given); citizens' the channel's unit.
      unitId: channel.mode === 'staff' || v.survey.kind === 'staff' ? (chosenUnit ? Number(chosenUnit) : 0) : channel.unitId,
      month: taiwanMonth(now),
      submittedAt: now.toISOString(),
      sourceHash: tracked ? source : null,
      flag,
    };
    const item = { response, survey: v.survey, answers: parsed.answers };
    if (spend) {
      const stored = await this.storeIf(item, (trx) => spend(trx, now));
      return stored === null ? { kind: 'spent' } : { kind: 'stored', ref: stored, flagged: flag !== null };
    }
    if (channel.codesRequired) {
      // A code is spent in the same transaction as the answer is stored, and nothing records which answer it was.
      const stored = await this.storeIf(item, (trx) => this.repo.spendStaffCode(channel.id, hashCode(staffCode), now.toISOString(), trx));
      if (stored === null) return { kind: 'invalid', errors: [{ field: 'code', key: 'survey.error.codeUsed' }] };
      return { kind: 'stored', ref: stored, flagged: flag !== null };
    }
    return { kind: 'stored', ref: await this.writer.add(item), flagged: flag !== null };
  }

  /**
   * Stores answers given by phone keypad (already checked against the scale),
   * like a web answer: same tables, aggregates in the same transaction. With
   * `spend`, only if it still may be (an open invitation, an unended call).
   * The caller's number (Twilio's From), when known, counts like a web
   * answer's address: hashed with the day's salt, SOURCE_LIMIT in ten minutes,
   * a burst flagged, and the hash kept only with the response.
   */
  async storeKeypadAnswers(channel: Channel, answers: Answers, caller: string | null, spend?: Spend): Promise<SubmitOutcome> {
    const now = this.clock();
    const v = this.survey(channel.surveyKey);
    const source = caller ? this.sourceHash(`tel:${caller}`, now) : null;
    let flag: NewResponse['flag'] = null;
    if (source !== null) {
      const recent = this.recentFrom(source, now.getTime());
      if (recent >= SOURCE_LIMIT) return { kind: 'tooMany', retryAfterSeconds: SOURCE_WINDOW_MS / 1000 };
      if (recent + 1 >= BURST_AT) flag = 'burst';
    }
    const response: NewResponse = {
      surveyVersionId: await this.versionId(v),
      channelId: channel.id,
      unitId: channel.unitId,
      month: taiwanMonth(now),
      submittedAt: now.toISOString(),
      sourceHash: source,
      flag,
    };
    const stored = await this.storeIf({ response, survey: v.survey, answers }, (trx) => (spend ? spend(trx, now) : Promise.resolve(true)));
    return stored === null ? { kind: 'spent' } : { kind: 'stored', ref: stored, flagged: flag !== null };
  }

  /** The channel of a survey's answers at a unit in a mode (invitations; phone answers to them), made on first use. */
  async ownChannel(surveyKey: string, unitId: number, mode: 'invitation' | 'phone', trx: Db): Promise<number> {
    const found = await this.repo.findOwnChannel(surveyKey, unitId, mode, trx);
    if (found !== undefined) return found;
    return this.repo.insertChannel({ code: randomCode(8), surveyKey, unitId, counterName: '', mode, kioskKey: null, codesRequired: false, createdBy: null }, this.clock().toISOString(), trx);
  }

  /** A channel by id, for the product's own use (keypad calls, invitations): no reach check. */
  async channelById(id: number, trx?: Db): Promise<Channel | undefined> {
    return this.repo.findChannel(id, trx);
  }

  /**
   * Stores one response in a transaction of its own if `allowed` (run in that
   * same transaction: it spends a single-use right) says so; its reference, or
   * null when nothing was stored.
   */
  private async storeIf(item: NewItem, allowed: (trx: Db) => Promise<boolean>): Promise<string | null> {
    return this.db.transaction(async (trx) => ((await allowed(trx)) ? ((await this.repo.insertResponses([item], trx))[0] ?? null) : null));
  }

  private reach(user: CurrentUser): string {
    const reach = reachPath(user);
    if (reach === null || (user.role !== 'admin' && user.role !== 'manager')) throw new NotFoundError();
    return reach;
  }

  async channels(user: CurrentUser): Promise<Channel[]> {
    return this.repo.channelsInReach(this.reach(user));
  }

  async channel(user: CurrentUser, id: number): Promise<Channel> {
    const c = await this.repo.findChannel(id);
    if (!c || !c.unitPath.startsWith(this.reach(user))) throw new NotFoundError();
    return c;
  }

  /** Creates channels for one unit, or for every unit below it (bulk), for a survey and a mode. */
  async createChannels(user: CurrentUser, input: { unitId: number; surveyKey: string; mode: ChannelMode; counterName: string; subtree: boolean; codesRequired: boolean }): Promise<number> {
    const unit = await this.units.findById(input.unitId);
    if (!unit || !unit.path.startsWith(this.reach(user))) throw new NotFoundError();
    this.survey(input.surveyKey);
    const targets = input.subtree ? (await this.units.listInReach(unit.path)).filter((u) => u.active && u.type !== 'switchboard') : [unit];
    const now = this.clock().toISOString();
    await this.db.transaction(async (trx) => {
      for (const t of targets) {
        await this.repo.insertChannel(
          {
            code: randomCode(6),
            surveyKey: input.surveyKey,
            unitId: t.id,
            counterName: input.counterName,
            mode: input.mode,
            kioskKey: input.mode === 'kiosk' ? crypto.randomBytes(12).toString('base64url') : null,
            codesRequired: input.mode === 'staff' && input.codesRequired,
            createdBy: user.id,
          },
          now,
          trx,
        );
      }
    });
    return targets.length;
  }

  async setActive(user: CurrentUser, id: number, active: boolean): Promise<void> {
    const c = await this.channel(user, id);
    await this.repo.setChannelActive(c.id, active);
    this.channelCache.delete(c.code);
  }

  /** New single-use staff codes, shown once: only their hashes are kept. */
  async issueStaffCodes(user: CurrentUser, channelId: number, count: number): Promise<string[]> {
    const c = await this.channel(user, channelId);
    if (c.mode !== 'staff' || !c.codesRequired) throw new NotFoundError();
    const codes = Array.from({ length: count }, () => randomCode(8));
    await this.repo.storeStaffCodes(c.id, codes.map(hashCode), this.clock().toISOString());
    return codes;
  }

  /** Each channel's health: recent activity, the share of the lowest answer, and the quiet and one-sided warnings. */
  async health(user: CurrentUser): Promise<ChannelHealth[]> {
    return this.healthIn(this.reach(user));
  }

  /** Channel health of the channels of a subtree (the report's scope, whose reach its caller checked). */
  async healthIn(path: string): Promise<ChannelHealth[]> {
    const list = await this.repo.channelsInReach(path);
    const now = this.clock();
    const ids = list.map((c) => c.id);
    const day = 86_400_000;
    const week = await this.repo.channelActivity(ids, new Date(now.getTime() - 7 * day).toISOString());
    const fiveWeeks = await this.repo.channelActivity(ids, new Date(now.getTime() - 35 * day).toISOString());
    const thisMonth = taiwanMonth(now);
    const months = [thisMonth, taiwanMonth(new Date(now.getTime() - 31 * day))];
    const likertKeys = [...new Set(this.surveys.flatMap((v) => v.survey.sections.flatMap((s) => s.questions.filter((q) => q.type === 'likert').map((q) => q.key))))];
    const values = await this.repo.valueCounts(ids, months, likertKeys);
    const respondents = await this.repo.respondents(ids, months);
    return list.map((c) =>
      channelHealth({
        channel: c,
        survey: this.survey(c.surveyKey).survey,
        last: week.last.get(c.id) ?? null,
        lastWeek: week.recent.get(c.id) ?? 0,
        previousFourWeeks: (fiveWeeks.recent.get(c.id) ?? 0) - (week.recent.get(c.id) ?? 0),
        values: values.get(c.id) ?? new Map(),
        respondents: respondents.get(c.id) ?? 0,
      }),
    );
  }

  async flagged(user: CurrentUser) {
    const list = await this.channels(user);
    const byId = new Map(list.map((c) => [c.id, c]));
    return (await this.repo.flagged(list.map((c) => c.id))).map((f) => ({ ...f, channel: byId.get(f.channelId) as Channel }));
  }

  /** A manager counts a flagged response after all, or leaves it out again. */
  async setCounted(user: CurrentUser, responseId: number, counted: boolean): Promise<void> {
    const flagged = await this.flagged(user);
    const item = flagged.find((f) => f.id === responseId);
    if (!item) throw new NotFoundError();
    await this.db.transaction(async (trx) => {
      const survey = await this.repo.versionContent(item.surveyVersionId, trx);
      await this.repo.setCounted(responseId, counted, survey, trx);
    });
  }

  /** Staff headcount per unit and year (for the staff survey's response rate), for the units in reach. */
  async headcounts(user: CurrentUser, year: number): Promise<{ unit: Unit; headcount: number | null }[]> {
    const list = (await this.units.listInReach(this.reach(user))).filter((u) => u.type !== 'switchboard');
    const counts = await this.repo.headcounts(list.map((u) => u.id), year);
    return list.map((unit) => ({ unit, headcount: counts.get(unit.id) ?? null }));
  }

  async setHeadcounts(user: CurrentUser, year: number, values: Map<number, number>): Promise<void> {
    const allowed = new Set((await this.headcounts(user, year)).map((h) => h.unit.id));
    for (const [unitId, headcount] of values) if (allowed.has(unitId)) await this.repo.setHeadcount(unitId, year, headcount);
  }

  async rebuildAggregates(): Promise<number> {
    // A handful of versions serve every response: read and parse each once.
    const versions = new Map<number, Promise<Survey>>();
    return this.db.transaction((trx) =>
      this.repo.rebuildAggregates((id) => {
        let v = versions.get(id);
        if (!v) versions.set(id, (v = this.repo.versionContent(id, trx)));
        return v;
      }, trx),
    );
  }
}

function fieldOf(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}

/** The form's own fields (token, honeypot, code, language) are not answers. */
function stripControl(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const { _csrf, website, code, lang, ...rest } = body as Record<string, unknown>;
  void _csrf;
  void website;
  void code;
  void lang;
  return rest;
}
