import { readCsv, type CsvColumn } from '../platform/csv';
import type { MessageKey, Params } from '../platform/i18n';
import { ROC_OFFSET } from '../platform/roc-date';
import { normalisePhone } from '../org/phone';
import { isTaiwanMobile } from '../telephony/sms-rules';

/**
 * Closed petition cases as a manager types them or uploads them (CSV): each
 * line checked on its own, then the file as a whole against what is stored.
 * Pure: the stored case numbers and the units in reach are passed in.
 */
export type PhoneKind = 'mobile' | 'landline' | 'none';

export interface CaseInput {
  line: number;
  caseNumber: string;
  unitCode: string;
  closedOn: string;
  phoneE164: string | null;
  phoneKind: PhoneKind;
}

export interface CaseIssue {
  line: number;
  column: string;
  key: MessageKey;
  params?: Params;
}

export const CASE_CSV_COLUMNS: readonly CsvColumn[] = [
  { name: 'case_number', aliases: ['案號', '案件編號'], required: true },
  { name: 'unit_code', aliases: ['單位代碼', '承辦單位代碼'], required: true },
  { name: 'closed_on', aliases: ['結案日期'], required: true },
  { name: 'phone', aliases: ['手機', '電話', '陳情人電話', 'mobile'], required: false },
];

export const CASE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$/;

/** 2026-11-20, 2026/11/20, or the ROC form 115/11/20 (民國) → ISO; null when not a real date. */
export function parseClosingDate(raw: string): string | null {
  const m = /^(\d{2,4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(raw.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const year = (m[1] as string).length === 4 ? y : y + ROC_OFFSET;
  const [month, day] = [Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || year < 1990) return null;
  return d.toISOString().slice(0, 10);
}

/** A petitioner's phone: a mobile gets an SMS, a landline a keypad call, none the PIN on paper. */
export function petitionerPhone(raw: string): { ok: true; e164: string | null; kind: PhoneKind } | { ok: false } {
  if (raw.trim() === '') return { ok: true, e164: null, kind: 'none' };
  const p = normalisePhone(raw);
  // An extension cannot be keyed into an SMS or an automatic call.
  if (!p.ok || p.ext !== null) return { ok: false };
  return { ok: true, e164: p.e164, kind: isTaiwanMobile(p.e164) ? 'mobile' : 'landline' };
}

/** One case's fields checked on their own (the form and every CSV line). */
export function checkCase(line: number, values: Record<string, string>, today: string): { input?: CaseInput; issues: CaseIssue[] } {
  const issues: CaseIssue[] = [];
  // Stored in capitals: a petitioner may type 115a0001 for 115A0001.
  const caseNumber = (values.case_number ?? '').trim().toUpperCase();
  if (!CASE_NUMBER.test(caseNumber)) issues.push({ line, column: 'case_number', key: 'petition.error.caseNumber' });
  const unitCode = (values.unit_code ?? '').trim();
  if (unitCode === '') issues.push({ line, column: 'unit_code', key: 'petition.error.unit' });
  const closedOn = parseClosingDate(values.closed_on ?? '');
  if (closedOn === null) issues.push({ line, column: 'closed_on', key: 'petition.error.closedOn' });
  else if (closedOn > today) issues.push({ line, column: 'closed_on', key: 'petition.error.future' });
  const phone = petitionerPhone(values.phone ?? '');
  if (!phone.ok) issues.push({ line, column: 'phone', key: 'petition.error.phone' });
  if (issues.length > 0 || closedOn === null || !phone.ok) return { issues };
  return { input: { line, caseNumber, unitCode, closedOn, phoneE164: phone.e164, phoneKind: phone.kind }, issues };
}

export interface CasePlan {
  cases: (CaseInput & { unitId: number })[];
  issues: CaseIssue[];
}

/**
 * The whole batch against the stored cases and the units the manager may
 * reach: a case number seen twice (in the file or already registered) or a
 * unit out of reach is a problem of its line. Any problem: nothing is imported.
 */
export function planCases(
  inputs: readonly CaseInput[],
  lineIssues: readonly CaseIssue[],
  stored: ReadonlySet<string>,
  unitsInReach: ReadonlyMap<string, number>,
  /** Lines that failed their own checks: their unit codes are checked too, so that every problem of a line is named at once. */
  badLines: readonly { line: number; unitCode: string }[] = [],
): CasePlan {
  const issues = [...lineIssues];
  for (const b of badLines) {
    if (b.unitCode !== '' && !unitsInReach.has(b.unitCode)) issues.push({ line: b.line, column: 'unit_code', key: 'petition.error.unknownUnit', params: { code: b.unitCode } });
  }
  const seen = new Set<string>();
  const cases: CasePlan['cases'] = [];
  for (const c of inputs) {
    const key = c.caseNumber.toUpperCase();
    const unitId = unitsInReach.get(c.unitCode);
    if (seen.has(key)) issues.push({ line: c.line, column: 'case_number', key: 'petition.error.duplicate', params: { number: c.caseNumber } });
    else if (stored.has(key)) issues.push({ line: c.line, column: 'case_number', key: 'petition.error.exists', params: { number: c.caseNumber } });
    if (unitId === undefined) issues.push({ line: c.line, column: 'unit_code', key: 'petition.error.unknownUnit', params: { code: c.unitCode } });
    seen.add(key);
    if (unitId !== undefined) cases.push({ ...c, unitId });
  }
  issues.sort((a, b) => a.line - b.line);
  return { cases: issues.length > 0 ? [] : cases, issues };
}

/** Every line of a CSV file checked; the file's own problems (no header, a missing column) as line issues. */
export function parseCasesCsv(text: string, today: string): { inputs: CaseInput[]; issues: CaseIssue[]; badLines: { line: number; unitCode: string }[] } {
  const read = readCsv(text, CASE_CSV_COLUMNS);
  if (!read.ok) {
    const key: MessageKey = read.problem === 'missing-column' ? 'import.missingColumn' : read.problem === 'empty' ? 'import.empty' : 'import.malformed';
    return { inputs: [], issues: [{ line: read.line, column: read.column ?? '', key, params: { column: read.column ?? '' } }], badLines: [] };
  }
  if (read.records.length === 0) return { inputs: [], issues: [{ line: 1, column: '', key: 'import.empty' }], badLines: [] };
  const inputs: CaseInput[] = [];
  const issues: CaseIssue[] = [];
  const badLines: { line: number; unitCode: string }[] = [];
  for (const { line, values } of read.records) {
    const checked = checkCase(line, values, today);
    issues.push(...checked.issues);
    if (checked.input) inputs.push(checked.input);
    else badLines.push({ line, unitCode: (values.unit_code ?? '').trim() });
  }
  return { inputs, issues, badLines };
}
