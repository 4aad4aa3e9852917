import type { Db } from '../platform/db';

export const UNIT_TYPES = ['agency', 'switchboard', 'unit'] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

export interface Unit {
  id: number;
  parentId: number | null;
  path: string;
  code: string;
  type: UnitType;
  nameZh: string;
  nameEn: string;
  phoneE164: string | null;
  phoneExt: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export type UnitFields = Pick<Unit, 'code' | 'type' | 'nameZh' | 'nameEn' | 'phoneE164' | 'phoneExt' | 'active'> & {
  parentId: number | null;
};

interface UnitRow {
  id: number;
  parent_id: number | null;
  path: string;
  code: string;
  type: UnitType;
  name_zh: string;
  name_en: string;
  phone_e164: string | null;
  phone_ext: string | null;
  active: boolean | number;
  created_at: string;
  updated_at: string;
}

function toUnit(r: UnitRow): Unit {
  return {
    id: r.id,
    parentId: r.parent_id,
    path: r.path,
    code: r.code,
    type: r.type,
    nameZh: r.name_zh,
    nameEn: r.name_en,
    phoneE164: r.phone_e164,
    phoneExt: r.phone_ext,
    active: Boolean(r.active),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(f: UnitFields): Omit<UnitRow, 'id' | 'path' | 'created_at' | 'updated_at'> {
  return {
    parent_id: f.parentId,
    code: f.code,
    type: f.type,
    name_zh: f.nameZh,
    name_en: f.nameEn,
    phone_e164: f.phoneE164,
    phone_ext: f.phoneExt,
    active: f.active,
  };
}

/** The only code that reads or writes the units table. */
export class UnitsRepo {
  constructor(private readonly db: Db) {}

  /** Units whose path starts with `reach` ('/' for all), in tree order. */
  async listInReach(reach: string, trx: Db = this.db): Promise<Unit[]> {
    const rows = await trx<UnitRow>('units').where('path', 'like', `${reach}%`).orderBy('path');
    return rows.map(toUnit);
  }

  async findById(id: number, trx: Db = this.db): Promise<Unit | undefined> {
    const row = await trx<UnitRow>('units').where({ id }).first();
    return row ? toUnit(row) : undefined;
  }

  /**
   * The agency a unit belongs to: the nearest agency at or above the unit with
   * this path ('/1/5/9/'), in one query. Every tree's root is an agency (the
   * unit rules), so a path with none is a broken tree: RangeError.
   */
  async agencyOf(path: string, trx: Db = this.db): Promise<Unit> {
    const ids = path.split('/').filter(Boolean).map(Number);
    const rows = await trx<UnitRow>('units').whereIn('id', ids).where({ type: 'agency' });
    const nearest = rows.map(toUnit).sort((a, b) => b.path.length - a.path.length)[0];
    if (!nearest) throw new RangeError(`no agency at or above ${path}`);
    return nearest;
  }

  async findByCodes(codes: string[], trx: Db = this.db): Promise<Unit[]> {
    if (codes.length === 0) return [];
    const rows = await trx<UnitRow>('units').whereIn('code', codes);
    return rows.map(toUnit);
  }

  async count(trx: Db = this.db): Promise<number> {
    const row = await trx('units').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** Inserts a unit under its parent (whose path must be given) and returns it with its path. */
  async insert(fields: UnitFields, parentPath: string, now: string, trx: Db = this.db): Promise<Unit> {
    const [inserted] = await trx('units')
      .insert({ ...toRow(fields), path: '', created_at: now, updated_at: now })
      .returning<{ id: number }[]>('id');
    if (!inserted) throw new Error('insert returned no id');
    const path = `${parentPath}${inserted.id}/`;
    await trx('units').where({ id: inserted.id }).update({ path });
    const unit = await this.findById(inserted.id, trx);
    if (!unit) throw new Error('inserted unit vanished');
    return unit;
  }

  /**
   * Updates a unit's fields; when its parent changes, its path and every
   * descendant's path move with it (one statement per descendant, inside the caller's transaction).
   */
  async update(id: number, fields: UnitFields, newPath: string, now: string, trx: Db): Promise<void> {
    const before = await this.findById(id, trx);
    if (!before) throw new Error(`no unit ${id}`);
    await trx('units').where({ id }).update({ ...toRow(fields), path: newPath, updated_at: now });
    if (before.path !== newPath) {
      const descendants = await trx<UnitRow>('units').where('path', 'like', `${before.path}%`).whereNot({ id });
      for (const d of descendants) {
        await trx('units').where({ id: d.id }).update({ path: newPath + d.path.slice(before.path.length) });
      }
    }
  }

  async setActive(id: number, active: boolean, now: string, trx: Db = this.db): Promise<void> {
    await trx('units').where({ id }).update({ active, updated_at: now });
  }
}
