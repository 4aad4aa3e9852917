import crypto from 'node:crypto';
import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import { TooManyRequestsError } from '../platform/errors';
import type { Lang } from '../platform/i18n';
import type { RateLimiter, RateLimitRule } from '../platform/rate-limit';
import type { UnitsRepo } from '../org/units-repo';
import { normaliseEmail, type User, type UsersRepo } from '../org/users-repo';
import type { CurrentUser } from './current-user';
import { hashPassword, verifyPassword } from './passwords';
import type { SetupInput } from './schema';
import type { DbSessionStore } from './session-store';
import type { TokensRepo } from './tokens-repo';

export interface AuthSettings {
  publicBaseUrl: string;
  setupLinkValidMinutes: number;
  resetLinkValidMinutes: number;
  login: { maxFailuresPerAccount: number; maxFailuresPerClient: number; windowMinutes: number };
}

export type LoginResult = { ok: true; user: User } | { ok: false };

function minutesFrom(now: Date, minutes: number): string {
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}

/** Rate-limit keys are hashes, so the table holds neither e-mail addresses nor IP addresses. */
function limitKey(kind: string, value: string): string {
  return `login:${kind}:${crypto.createHash('sha256').update(value).digest('hex').slice(0, 40)}`;
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepo,
    private readonly units: UnitsRepo,
    private readonly tokens: TokensRepo,
    private readonly limiter: RateLimiter,
    private readonly sessions: DbSessionStore,
    private readonly settings: AuthSettings,
    private readonly clock: () => Date,
  ) {}

  private get loginRule(): { account: RateLimitRule; client: RateLimitRule } {
    const windowMs = this.settings.login.windowMinutes * 60_000;
    return {
      account: { max: this.settings.login.maxFailuresPerAccount, windowMs },
      client: { max: this.settings.login.maxFailuresPerClient, windowMs },
    };
  }

  /**
   * Checks e-mail and password. Failures count against both the account and
   * the client; past either limit the answer is 429 with the wait, checked
   * before the password so that guessing stops. Unknown e-mail, wrong password
   * and deactivated account all give the same answer.
   */
  async login(email: string, password: string, client: string): Promise<LoginResult> {
    const now = this.clock();
    const accountKey = limitKey('account', normaliseEmail(email));
    const clientKey = limitKey('client', client);
    const rules = this.loginRule;
    for (const [key, rule] of [[accountKey, rules.account], [clientKey, rules.client]] as const) {
      const state = await this.limiter.check(key, rule, now);
      if (state.blocked) throw new TooManyRequestsError(state.retryAfterSeconds, 'login.tooMany');
    }
    const found = await this.users.findForLogin(email);
    const valid = await verifyPassword(found?.passwordHash ?? null, password);
    if (!found || !valid || !found.user.active) {
      await this.limiter.hit(accountKey, rules.account, now);
      await this.limiter.hit(clientKey, rules.client, now);
      return { ok: false };
    }
    await this.limiter.reset(accountKey);
    return { ok: true, user: found.user };
  }

  /** The signed-in user for a session, or undefined once the account is gone or deactivated. */
  async currentUser(userId: number): Promise<CurrentUser | undefined> {
    const user = await this.users.findById(userId);
    if (!user || !user.active) return undefined;
    return { id: user.id, email: user.email, name: user.name, role: user.role, unitId: user.unitId, unitPath: user.unitPath, locale: user.locale };
  }

  async setLocale(userId: number, locale: Lang): Promise<void> {
    await this.users.setLocale(userId, locale);
  }

  async needsSetup(): Promise<boolean> {
    return (await this.users.countActiveAdmins()) === 0;
  }

  /** Whether the setup form must also ask for the agency (an empty database) or only for the administrator. */
  async setupCreatesAgency(): Promise<boolean> {
    return (await this.units.count()) === 0;
  }

  /**
   * While no administrator exists: a fresh one-time setup link (older ones are
   * revoked), or null when setup is not needed.
   */
  async createSetupLink(): Promise<string | null> {
    if (!(await this.needsSetup())) return null;
    const now = this.clock();
    const token = await this.db.transaction(async (trx) => {
      await this.tokens.revokeOpen('setup', null, now.toISOString(), trx);
      return this.tokens.create('setup', null, minutesFrom(now, this.settings.setupLinkValidMinutes), now.toISOString(), trx);
    });
    return `${this.settings.publicBaseUrl}/setup?token=${token}`;
  }

  async isSetupTokenLive(token: string): Promise<boolean> {
    return (await this.needsSetup()) && (await this.tokens.findLive('setup', token, this.clock().toISOString())) !== undefined;
  }

  /**
   * Creates the first administrator (and, in an empty database, the agency at
   * the root of the tree). The token is spent in the same transaction.
   */
  async completeSetup(token: string, input: SetupInput): Promise<User | null> {
    const now = this.clock().toISOString();
    const hash = await hashPassword(input.password);
    return this.db.transaction(async (trx) => {
      const live = await this.tokens.findLive('setup', token, now, trx);
      if (!live || (await this.users.countActiveAdmins(trx)) > 0 || !(await this.tokens.consume(live.id, now, trx))) return null;
      const roots = (await this.units.listInReach('/', trx)).filter((u) => u.parentId === null);
      const root =
        roots[0] ??
        (await this.units.insert(
          {
            parentId: null,
            code: input.agencyCode ?? 'AGENCY',
            type: 'agency',
            nameZh: input.agencyNameZh ?? '',
            nameEn: input.agencyNameEn ?? '',
            phoneE164: null,
            phoneExt: null,
            active: true,
          },
          '/',
          now,
          trx,
        ));
      const id = await this.users.insert(
        { email: input.email, name: input.name, role: 'admin', unitId: root.id, phoneE164: null, phoneExt: null, active: true },
        now,
        trx,
        hash,
      );
      await audit(trx, { actorId: id, action: 'setup.complete', subject: `user:${id}`, at: now });
      return (await this.users.findById(id, trx)) ?? null;
    });
  }

  /**
   * For the command line: an administrator account without a password and the
   * one-time link with which that person sets it. Placed in the unit with the
   * given code, or in a new top-level agency when the database has no units.
   */
  async createAdministrator(input: {
    email: string;
    name: string;
    unitCode?: string;
    agency?: { code: string; nameZh: string; nameEn: string };
  }): Promise<{ ok: true; link: string } | { ok: false; problem: 'emailTaken' | 'unknownUnit' | 'needUnit' }> {
    const now = this.clock().toISOString();
    const created = await this.db.transaction(async (trx) => {
      if (await this.users.findByEmail(input.email, trx)) return { ok: false as const, problem: 'emailTaken' as const };
      let unitId: number;
      if (input.unitCode) {
        const [unit] = await this.units.findByCodes([input.unitCode], trx);
        if (!unit) return { ok: false as const, problem: 'unknownUnit' as const };
        unitId = unit.id;
      } else if (input.agency && (await this.units.count(trx)) === 0) {
        const fields = { parentId: null, type: 'agency' as const, phoneE164: null, phoneExt: null, active: true, ...input.agency };
        unitId = (await this.units.insert(fields, '/', now, trx)).id;
      } else {
        return { ok: false as const, problem: 'needUnit' as const };
      }
      const id = await this.users.insert(
        { email: input.email, name: input.name, role: 'admin', unitId, phoneE164: null, phoneExt: null, active: true },
        now,
        trx,
      );
      await audit(trx, { actorId: null, action: 'user.create.cli', subject: `user:${id}`, at: now });
      return { ok: true as const, id };
    });
    if (!created.ok) return created;
    return { ok: true, link: await this.issueResetLink(null, created.id) };
  }

  /** For the command line: a reset link for the account with this e-mail, if it exists. */
  async resetLinkFor(email: string): Promise<string | null> {
    const user = await this.users.findByEmail(email);
    return user ? this.issueResetLink(null, user.id) : null;
  }

  /** A one-time link with which a user sets a new password; older links for that user stop working. */
  async issueResetLink(actorId: number | null, userId: number): Promise<string> {
    const now = this.clock();
    const token = await this.db.transaction(async (trx) => {
      await this.tokens.revokeOpen('reset', userId, now.toISOString(), trx);
      const t = await this.tokens.create('reset', userId, minutesFrom(now, this.settings.resetLinkValidMinutes), now.toISOString(), trx);
      await audit(trx, { actorId, action: 'user.resetLink', subject: `user:${userId}`, at: now.toISOString() });
      return t;
    });
    return `${this.settings.publicBaseUrl}/password/reset?token=${token}`;
  }

  async resetTarget(token: string): Promise<User | undefined> {
    const live = await this.tokens.findLive('reset', token, this.clock().toISOString());
    if (!live?.userId) return undefined;
    const user = await this.users.findById(live.userId);
    return user?.active ? user : undefined;
  }

  /** Sets the password from a reset link and ends every session of that user. */
  async resetPassword(token: string, password: string): Promise<User | null> {
    const now = this.clock().toISOString();
    const hash = await hashPassword(password);
    const user = await this.db.transaction(async (trx) => {
      const live = await this.tokens.findLive('reset', token, now, trx);
      if (!live?.userId || !(await this.tokens.consume(live.id, now, trx))) return null;
      await this.users.setPasswordHash(live.userId, hash, now, trx);
      await audit(trx, { actorId: live.userId, action: 'user.passwordReset', subject: `user:${live.userId}`, at: now });
      return (await this.users.findById(live.userId, trx)) ?? null;
    });
    if (user) await this.sessions.destroyForUser(user.id);
    return user;
  }

  /** Changes one's own password after checking the current one; other sessions of the user end. */
  async changePassword(user: CurrentUser, current: string, next: string, keepSid: string): Promise<boolean> {
    const found = await this.users.findForLogin(user.email);
    if (!found || !(await verifyPassword(found.passwordHash, current))) return false;
    const now = this.clock().toISOString();
    const hash = await hashPassword(next);
    await this.db.transaction(async (trx) => {
      await this.users.setPasswordHash(user.id, hash, now, trx);
      await audit(trx, { actorId: user.id, action: 'user.passwordChange', subject: `user:${user.id}`, at: now });
    });
    await this.sessions.destroyForUser(user.id, keepSid);
    return true;
  }
}
