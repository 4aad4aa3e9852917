import { readCsv, type CsvColumn } from '../platform/csv';
import type { MessageKey, Params } from '../platform/i18n';
import { normalisePhone } from './phone';
import type { Unit, UnitType } from './units-repo';

/** A unit as a CSV line describes it, validated but not yet placed in the tree. */
export interface ImportedUnit {
  line: number;
  code: string;
  parentCode: string | null;
  type: UnitType;
  nameZh: string;
  nameEn: string;
  phoneE164: string | null;
  phoneExt: string | null;
  active: boolean;
}

export interface ImportIssue {
  line: number;
  column?: string;
  key: MessageKey;
  params?: Params;
}

export type ImportAction = 'create' | 'update' | 'unchanged';

export interface ImportPlan {
  items: { unit: ImportedUnit; action: ImportAction }[];
  issues: ImportIssue[];
}

export const UNIT_CSV_COLUMNS: readonly CsvColumn[] = [
  { name: 'code', aliases: ['代碼', '單位代碼'], required: true },
  { name: 'parent_code', aliases: ['上級代碼', '上級單位代碼'], required: true },
  { name: 'type', aliases: ['類型', '單位類型'], required: true },
  { name: 'name_zh', aliases: ['中文名稱', '名稱'], required: true },
  { name: 'name_en', aliases: ['英文名稱'], required: false },
  { name: 'phone', aliases: ['電話'], required: false },
  { name: 'active', aliases: ['啟用'], required: false },
];

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const TYPE_WORDS: Record<string, UnitType> = {
  agency: 'agency',
  機關: 'agency',
  switchboard: 'switchboard',
  總機: 'switchboard',
  unit: 'unit',
  單位: 'unit',
  業務單位: 'unit',
};

const TRUE_WORDS = new Set(['', '1', 'true', 'yes', 'y', '是', '啟用']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'n', '否', '停用']);

/** Parses and validates each line on its own (format, required values, phone numbers). */
export function parseUnitsCsv(text: string): { units: ImportedUnit[]; issues: ImportIssue[] } {
  const read = readCsv(text, UNIT_CSV_COLUMNS);
  if (!read.ok) {
    const key: MessageKey =
      read.problem === 'missing-column' ? 'import.missingColumn' : read.problem === 'empty' ? 'import.empty' : 'import.malformed';
    return { units: [], issues: [{ line: read.line, key, params: { column: read.column ?? '' } }] };
  }
  if (read.records.length === 0) return { units: [], issues: [{ line: 1, key: 'import.empty' }] };
  const units: ImportedUnit[] = [];
  const issues: ImportIssue[] = [];
  for (const { line, values } of read.records) {
    const lineIssues: ImportIssue[] = [];
    const code = values.code ?? '';
    if (!CODE_PATTERN.test(code)) lineIssues.push({ line, column: 'code', key: 'unit.error.code' });
    const type = TYPE_WORDS[(values.type ?? '').toLowerCase()];
    if (!type) lineIssues.push({ line, column: 'type', key: 'unit.error.type' });
    const nameZh = values.name_zh ?? '';
    if (nameZh === '' || nameZh.length > 200) lineIssues.push({ line, column: 'name_zh', key: 'unit.error.nameZh' });
    const nameEn = values.name_en ?? '';
    if (nameEn.length > 200) lineIssues.push({ line, column: 'name_en', key: 'unit.error.nameEn' });
    let phone: { e164: string; ext: string | null } | null = null;
    if (values.phone) {
      const p = normalisePhone(values.phone);
      if (p.ok) phone = p;
      else lineIssues.push({ line, column: 'phone', key: 'unit.error.phone' });
    }
    const activeWord = (values.active ?? '').toLowerCase();
    const active = TRUE_WORDS.has(activeWord) ? true : FALSE_WORDS.has(activeWord) ? false : undefined;
    if (active === undefined) lineIssues.push({ line, column: 'active', key: 'unit.error.active' });
    if (lineIssues.length > 0 || !type || active === undefined) {
      issues.push(...lineIssues);
      continue;
    }
    units.push({
      line,
      code,
      parentCode: values.parent_code ? values.parent_code : null,
      type,
      nameZh,
      nameEn,
      phoneE164: phone?.e164 ?? null,
      phoneExt: phone?.ext ?? null,
      active,
    });
  }
  return { units, issues };
}

export type PlacementProblem =
  | 'unit.error.rootNotAgency'
  | 'unit.error.rootNotAllowed'
  | 'unit.error.parentSwitchboard'
  | 'unit.error.parentOutOfReach';

/**
 * Where a unit may sit in the tree: only an agency stands at the top, and only
 * an administrator (whose reach is the whole tree) may put one there; nothing
 * sits under a switchboard; a manager places units only inside his or her reach.
 */
export function placementProblem(
  type: UnitType,
  parent: { type: UnitType; inReach: boolean } | null,
  wholeTree: boolean,
): PlacementProblem | null {
  if (!parent) {
    if (type !== 'agency') return 'unit.error.rootNotAgency';
    return wholeTree ? null : 'unit.error.rootNotAllowed';
  }
  if (parent.type === 'switchboard') return 'unit.error.parentSwitchboard';
  return parent.inReach ? null : 'unit.error.parentOutOfReach';
}

function sameAsStored(u: ImportedUnit, stored: Unit, storedParentCode: string | null): boolean {
  return (
    stored.type === u.type &&
    stored.nameZh === u.nameZh &&
    stored.nameEn === u.nameEn &&
    stored.phoneE164 === u.phoneE164 &&
    stored.phoneExt === u.phoneExt &&
    stored.active === u.active &&
    storedParentCode === u.parentCode
  );
}

/**
 * Checks the file as a whole against the stored tree: duplicate codes, parents
 * that exist (in the file or the database), cycles, placement rules and reach.
 * Items come out parents first, so applying them in order always finds the parent.
 * `existing` must hold every stored unit (codes are unique across the installation).
 */
export function planUnitImport(units: ImportedUnit[], existing: Unit[], reach: string): ImportPlan {
  const issues: ImportIssue[] = [];
  const storedByCode = new Map(existing.map((u) => [u.code, u]));
  const storedById = new Map(existing.map((u) => [u.id, u]));
  const fileByCode = new Map<string, ImportedUnit>();
  for (const u of units) {
    if (fileByCode.has(u.code)) issues.push({ line: u.line, column: 'code', key: 'import.duplicateCode', params: { code: u.code } });
    else fileByCode.set(u.code, u);
  }
  const parentCodeOf = (code: string): string | null => {
    const inFile = fileByCode.get(code);
    if (inFile) return inFile.parentCode;
    const stored = storedByCode.get(code);
    const parent = stored?.parentId ? storedById.get(stored.parentId) : undefined;
    return parent?.code ?? null;
  };
  const typeOf = (code: string): UnitType | undefined => fileByCode.get(code)?.type ?? storedByCode.get(code)?.type;

  // The path a code will have after the import, as a chain of codes, or null on a cycle or a missing ancestor.
  const chain = (code: string): string[] | null => {
    const seen: string[] = [];
    let current: string | null = code;
    while (current !== null) {
      if (seen.includes(current)) return null;
      if (!fileByCode.has(current) && !storedByCode.has(current)) return null;
      seen.push(current);
      current = parentCodeOf(current);
    }
    return seen.reverse();
  };
  // A manager's reach is the subtree of one stored unit: after the import, a
  // parent is in reach when that unit is on the parent's chain.
  const wholeTree = reach === '/';
  const reachRoot = existing.find((u) => u.path === reach);

  const allCodes = new Set([...fileByCode.keys(), ...storedByCode.keys()]);
  const parentCodes = new Set([...allCodes].map(parentCodeOf).filter((c): c is string => c !== null));
  const hasChildren = (code: string): boolean => parentCodes.has(code);

  const placed: { unit: ImportedUnit; depth: number; action: ImportAction }[] = [];
  for (const u of fileByCode.values()) {
    const stored = storedByCode.get(u.code);
    if (stored && !stored.path.startsWith(reach)) {
      issues.push({ line: u.line, column: 'code', key: 'import.outOfReach', params: { code: u.code } });
      continue;
    }
    if (u.parentCode !== null && !fileByCode.has(u.parentCode) && !storedByCode.has(u.parentCode)) {
      issues.push({ line: u.line, column: 'parent_code', key: 'import.unknownParent', params: { code: u.parentCode } });
      continue;
    }
    const codes = chain(u.code);
    if (!codes) {
      issues.push({ line: u.line, column: 'parent_code', key: 'import.cycle', params: { code: u.code } });
      continue;
    }
    const storedParent = stored?.parentId ? storedById.get(stored.parentId) : undefined;
    const parentUnchanged = stored !== undefined && (storedParent?.code ?? null) === u.parentCode;
    const parentType = u.parentCode ? typeOf(u.parentCode) : undefined;
    const parentInReach = wholeTree || (reachRoot !== undefined && codes.slice(0, -1).includes(reachRoot.code));
    const parent = u.parentCode && parentType ? { type: parentType, inReach: parentInReach } : null;
    // A parent that stays as it was needs no new reach check, but the type rules still hold.
    const problem = placementProblem(u.type, parent && parentUnchanged ? { ...parent, inReach: true } : parent, wholeTree || parentUnchanged);
    if (problem) {
      issues.push({ line: u.line, column: 'parent_code', key: problem });
      continue;
    }
    if (u.type === 'switchboard' && hasChildren(u.code)) {
      issues.push({ line: u.line, column: 'type', key: 'unit.error.switchboardHasChildren' });
      continue;
    }
    const action: ImportAction = !stored ? 'create' : sameAsStored(u, stored, storedParent?.code ?? null) ? 'unchanged' : 'update';
    placed.push({ unit: u, depth: codes.length, action });
  }
  issues.sort((a, b) => a.line - b.line);
  placed.sort((a, b) => a.depth - b.depth || a.unit.line - b.unit.line);
  return { items: placed.map(({ unit, action }) => ({ unit, action })), issues };
}
