import type { CurrentUser } from '../auth/current-user';
import type { DbSessionStore } from '../auth/session-store';
import { audit } from '../platform/audit';
import type { Db } from '../platform/db';
import { NotFoundError } from '../platform/errors';
import type { FieldError } from '../platform/http';
import type { UserInput } from './schema';
import type { UnitsRepo } from './units-repo';
import type { User, UsersRepo } from './users-repo';

export type UserSaveResult = { ok: true; user: User } | { ok: false; errors: FieldError[] };

/** Accounts are managed by administrators only (routes say so); this service keeps the rules. */
export class UsersService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepo,
    private readonly units: UnitsRepo,
    private readonly sessions: DbSessionStore,
    private readonly clock: () => Date,
  ) {}

  list(): Promise<User[]> {
    return this.users.listInReach('/');
  }

  async get(id: number): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError();
    return user;
  }

  create(actor: CurrentUser, input: UserInput): Promise<UserSaveResult> {
    return this.save(actor, undefined, input);
  }

  async update(actor: CurrentUser, id: number, input: UserInput): Promise<UserSaveResult> {
    return this.save(actor, await this.get(id), input);
  }

  private async save(actor: CurrentUser, existing: User | undefined, input: UserInput): Promise<UserSaveResult> {
    const now = this.clock().toISOString();
    return this.db.transaction(async (trx) => {
      const errors: FieldError[] = [];
      const sameEmail = await this.users.findByEmail(input.email, trx);
      if (sameEmail && sameEmail.id !== existing?.id) errors.push({ field: 'email', key: 'user.error.emailTaken' });
      const unit = await this.units.findById(input.unitId, trx);
      if (!unit) errors.push({ field: 'unitId', key: 'validation.choose' });
      if (existing?.role === 'admin' && input.role !== 'admin' && existing.active && (await this.users.countActiveAdmins(trx)) <= 1) {
        errors.push({ field: 'role', key: 'user.error.lastAdmin' });
      }
      if (errors.length > 0) return { ok: false, errors };
      const fields = { ...input, active: existing?.active ?? true };
      const id = existing ? existing.id : await this.users.insert(fields, now, trx);
      if (existing) await this.users.update(id, fields, now, trx);
      await audit(trx, {
        actorId: actor.id,
        action: existing ? 'user.update' : 'user.create',
        subject: `user:${id}`,
        detail: { role: input.role, unitId: input.unitId },
        at: now,
      });
      const user = await this.users.findById(id, trx);
      if (!user) throw new Error('saved user vanished');
      return { ok: true, user };
    });
  }

  /**
   * Deactivating ends the user's sessions at once. The last active
   * administrator cannot be deactivated, nor can users deactivate themselves.
   */
  async setActive(actor: CurrentUser, id: number, active: boolean): Promise<{ ok: true } | { ok: false; key: 'user.error.lastAdmin' | 'user.error.self' }> {
    const user = await this.get(id);
    if (!active && user.id === actor.id) return { ok: false, key: 'user.error.self' };
    const now = this.clock().toISOString();
    const result = await this.db.transaction(async (trx) => {
      if (!active && user.role === 'admin' && user.active && (await this.users.countActiveAdmins(trx)) <= 1) {
        return { ok: false as const, key: 'user.error.lastAdmin' as const };
      }
      await this.users.update(user.id, { ...user, active }, now, trx);
      await audit(trx, { actorId: actor.id, action: active ? 'user.activate' : 'user.deactivate', subject: `user:${user.id}`, at: now });
      return { ok: true as const };
    });
    if (result.ok && !active) await this.sessions.destroyForUser(user.id);
    return result;
  }
}
