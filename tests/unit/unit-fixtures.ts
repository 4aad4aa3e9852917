import type { ImportedUnit } from '../../server/org/unit-import';
import type { Unit, UnitType } from '../../server/org/units-repo';

/** A stored unit as the repository returns it; its path is built from the parent's. */
export function storedUnit(id: number, code: string, type: UnitType, parent: Unit | null, fields: Partial<Unit> = {}): Unit {
  return {
    id,
    parentId: parent?.id ?? null,
    path: `${parent?.path ?? '/'}${id}/`,
    code,
    type,
    nameZh: `${code} 中文`,
    nameEn: '',
    phoneE164: null,
    phoneExt: null,
    active: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

/** What parseUnitsCsv would give for an unchanged copy of a stored unit. */
export function asImported(u: Unit, parentCode: string | null, line: number): ImportedUnit {
  return {
    line,
    code: u.code,
    parentCode,
    type: u.type,
    nameZh: u.nameZh,
    nameEn: u.nameEn,
    phoneE164: u.phoneE164,
    phoneExt: u.phoneExt,
    active: u.active,
  };
}

export function imported(line: number, code: string, parentCode: string | null, type: UnitType, fields: Partial<ImportedUnit> = {}): ImportedUnit {
  return {
    line,
    code,
    parentCode,
    type,
    nameZh: `${code} 中文`,
    nameEn: '',
    phoneE164: null,
    phoneExt: null,
    active: true,
    ...fields,
  };
}
