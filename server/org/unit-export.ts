import { toCsv } from '../platform/csv-write';
import { formatPhone } from './phone';
import type { Unit } from './units-repo';

/** Units in the import format (English headers), so that an export edited in a spreadsheet imports back unchanged. */
export function unitsCsv(units: Unit[]): string {
  const byId = new Map(units.map((u) => [u.id, u]));
  const header = ['code', 'parent_code', 'type', 'name_zh', 'name_en', 'phone', 'active'];
  const rows = units.map((u) => [
    u.code,
    u.parentId === null ? '' : (byId.get(u.parentId)?.code ?? ''),
    u.type,
    u.nameZh,
    u.nameEn,
    formatPhone(u.phoneE164, u.phoneExt, 'zh-TW'),
    u.active ? '1' : '0',
  ]);
  return toCsv([header, ...rows]);
}
