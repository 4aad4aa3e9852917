import type { Db } from '../platform/db';
import type { Lang } from '../platform/i18n';
import type { Role } from '../auth/current-user';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  unitId: number;
  unitPath: string;
  unitCode: string;
  unitNameZh: string;
  unitNameEn: string;
  phoneE164: string | null;
  phoneExt: string | null;
  locale: Lang;
  active: boolean;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export type UserFields = Pick<User, 'email' | 'name' | 'role' | 'unitId' | 'phoneE164' | 'phoneExt' | 'active'>;

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  unit_id: number;
  unit_path: string;
  unit_code: string;
  unit_name_zh: string;
  unit_name_en: string;
  phone_e164: string | null;
  phone_ext: string | null;
  password_hash: string | null;
  locale: Lang;
  active: boolean | number;
  created_at: string;
  updated_at: string;
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    unitId: r.unit_id,
    unitPath: r.unit_path,
    unitCode: r.unit_code,
    unitNameZh: r.unit_name_zh,
    unitNameEn: r.unit_name_en,
    phoneE164: r.phone_e164,
    phoneExt: r.phone_ext,
    locale: r.locale,
    active: Boolean(r.active),
    hasPassword: r.password_hash !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(f: UserFields) {
  return {
    email: normaliseEmail(f.email),
    name: f.name,
    role: f.role,
    unit_id: f.unitId,
    phone_e164: f.phoneE164,
    phone_ext: f.phoneExt,
    active: f.active,
  };
}

/** E-mail addresses are compared and stored in lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The only code that reads or writes the users table. */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  private select(trx: Db) {
    return trx<UserRow>('users')
      .join('units', 'units.id', 'users.unit_id')
      .select(
        'users.*',
        'units.path as unit_path',
        'units.code as unit_code',
        'units.name_zh as unit_name_zh',
        'units.name_en as unit_name_en',
      );
  }

  async findById(id: number, trx: Db = this.db): Promise<User | undefined> {
    const row = await this.select(trx).where('users.id', id).first<UserRow | undefined>();
    return row ? toUser(row) : undefined;
  }

  /** The user and the stored hash, for the login check only. */
  async findForLogin(email: string, trx: Db = this.db): Promise<{ user: User; passwordHash: string | null } | undefined> {
    const row = await this.select(trx).where('users.email', normaliseEmail(email)).first<UserRow | undefined>();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async findByEmail(email: string, trx: Db = this.db): Promise<User | undefined> {
    return (await this.findForLogin(email, trx))?.user;
  }

  async listInReach(reach: string, trx: Db = this.db): Promise<User[]> {
    const rows = await this.select(trx).where('units.path', 'like', `${reach}%`).orderBy(['units.path', 'users.name']);
    return (rows as UserRow[]).map(toUser);
  }

  async countActiveAdmins(trx: Db = this.db): Promise<number> {
    const row = await trx('users').where({ role: 'admin', active: true }).count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async insert(fields: UserFields, now: string, trx: Db = this.db, passwordHash: string | null = null): Promise<number> {
    const [row] = await trx('users')
      .insert({
        ...toRow(fields),
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
      })
      .returning<{ id: number }[]>('id');
    if (!row) throw new Error('insert returned no id');
    return row.id;
  }

  async update(id: number, fields: UserFields, now: string, trx: Db = this.db): Promise<void> {
    await trx('users')
      .where({ id })
      .update({ ...toRow(fields), updated_at: now });
  }

  async setPasswordHash(id: number, hash: string, now: string, trx: Db = this.db): Promise<void> {
    await trx('users').where({ id }).update({ password_hash: hash, updated_at: now });
  }

  async setLocale(id: number, locale: Lang, trx: Db = this.db): Promise<void> {
    await trx('users').where({ id }).update({ locale });
  }

  async countInUnits(unitIds: number[], trx: Db = this.db): Promise<number> {
    const row = await trx('users').whereIn('unit_id', unitIds).count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
