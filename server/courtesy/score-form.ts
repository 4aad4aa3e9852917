import { z } from 'zod';
import type { FieldError } from '../platform/http';
import type { MessageKey } from '../platform/i18n';
import type { Part } from './planner';
import type { Scoresheet, SheetItem } from './scoresheet';
import { checkAnswers, type Answer, type Answers } from './scoring';

/**
 * The scoring form as the browser sends it, and back. Field names:
 * `a_<item>` the answer (yes / no / na, a level's index, or seconds),
 * `na_<item>` a measured item's N/A box, `r_<item>` the reason for a
 * deduction, `flags` the critical lapses, `version` the sheet version shown.
 */
export interface ScoreSubmission {
  version: string;
  answers: Answers;
  reasons: Record<string, string>;
  flags: string[];
  /** The measured answer time of the call (the part's first measured item), for the record. */
  ringSeconds: number | null;
}

const toArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export const scoreEnvelope = z
  .object({
    version: z.string().regex(/^[0-9a-f]{16}$/, 'score.error.version'),
    flags: z.preprocess(toArray, z.array(z.string().max(64)).max(20)),
  })
  .catchall(z.union([z.string().max(2000, 'validation.tooLong'), z.array(z.string().max(2000))]));

export function itemsOfParts(sheet: Scoresheet, parts: readonly Part[]): SheetItem[] {
  return sheet.parts.filter((p) => parts.includes(p.key)).flatMap((p) => p.sections.flatMap((s) => s.items));
}

const ISSUE_KEYS: Record<string, MessageKey> = {
  missing: 'score.error.missing',
  naNotAllowed: 'score.error.na',
  badShare: 'score.error.choice',
  badSeconds: 'score.error.seconds',
  wrongKind: 'score.error.choice',
  unknownItem: 'score.error.unknownItem',
  unknownFlag: 'score.error.unknownFlag',
  noPart: 'score.error.noPart',
  allNA: 'score.error.allNA',
};

/** Reads a submitted scoring form; every problem comes back on the field it belongs to. */
export function parseScoreForm(
  sheet: Scoresheet,
  parts: readonly Part[],
  body: unknown,
): { ok: true; data: ScoreSubmission } | { ok: false; errors: FieldError[] } {
  const envelope = scoreEnvelope.safeParse(body ?? {});
  if (!envelope.success) {
    return { ok: false, errors: envelope.error.issues.map((i) => ({ field: String(i.path[0] ?? 'form'), key: 'score.error.version' as MessageKey })) };
  }
  const fields = envelope.data as Record<string, string | string[]>;
  const single = (name: string): string => {
    const v = fields[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
  };
  const items = itemsOfParts(sheet, parts);
  const known = new Set(items.map((i) => i.key));
  const errors: FieldError[] = [];
  for (const name of Object.keys(fields)) {
    const m = /^(a|na|r)_(.+)$/.exec(name);
    if (m && !known.has(m[2] as string)) errors.push({ field: name, key: 'score.error.unknownItem' });
  }
  const answers: Record<string, Answer> = {};
  const reasons: Record<string, string> = {};
  let ringSeconds: number | null = null;
  for (const item of items) {
    const raw = single(`a_${item.key}`);
    const reason = single(`r_${item.key}`);
    if (reason) reasons[item.key] = reason.slice(0, 500);
    if (item.kind === 'measured') {
      if (item.allowNA && single(`na_${item.key}`) === 'na') {
        answers[item.key] = { na: true };
        continue;
      }
      if (raw === '') continue;
      const seconds = Number(raw);
      if (!/^\d+(\.\d)?$/.test(raw) || !Number.isFinite(seconds)) {
        errors.push({ field: `a_${item.key}`, key: 'score.error.seconds' });
        continue;
      }
      answers[item.key] = { seconds };
      ringSeconds ??= seconds;
    } else if (raw === 'na') {
      answers[item.key] = { na: true };
    } else if (item.kind === 'yesno') {
      if (raw === 'yes') answers[item.key] = { share: 1 };
      else if (raw === 'no') answers[item.key] = { share: 0 };
      else if (raw !== '') errors.push({ field: `a_${item.key}`, key: 'score.error.choice' });
    } else if (raw !== '') {
      const level = /^\d+$/.test(raw) ? item.levels[Number(raw)] : undefined;
      if (level) answers[item.key] = { share: level.share };
      else errors.push({ field: `a_${item.key}`, key: 'score.error.choice' });
    }
  }
  const flagged = envelope.data.flags;
  const seen = new Set(errors.map((e) => e.field));
  for (const issue of checkAnswers(sheet, parts, answers, flagged)) {
    const field = issue.problem === 'unknownFlag' ? 'flags' : issue.itemKey ? `a_${issue.itemKey}` : 'form';
    if (issue.problem === 'unknownItem' || seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, key: ISSUE_KEYS[issue.problem] as MessageKey });
  }
  if (errors.length > 0) return { ok: false, errors: orderLike(errors, items) };
  return { ok: true, data: { version: envelope.data.version, answers, reasons, flags: flagged, ringSeconds } };
}

/** Errors in the order of the sheet, so that the summary reads top to bottom like the form. */
function orderLike(errors: FieldError[], items: SheetItem[]): FieldError[] {
  const position = new Map(items.map((i, n) => [`a_${i.key}`, n]));
  return [...errors].sort((a, b) => (position.get(a.field) ?? -1) - (position.get(b.field) ?? -1));
}

/** A stored revision turned back into form values (to revise it, or to show it again). */
export function formValuesOf(sheet: Scoresheet, parts: readonly Part[], sub: Omit<ScoreSubmission, 'ringSeconds'>): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = { version: sub.version, flags: sub.flags };
  for (const item of itemsOfParts(sheet, parts)) {
    const a = sub.answers[item.key];
    const reason = sub.reasons[item.key];
    if (reason) values[`r_${item.key}`] = reason;
    if (!a) continue;
    if ('na' in a) {
      if (item.kind === 'measured') values[`na_${item.key}`] = 'na';
      else values[`a_${item.key}`] = 'na';
    } else if ('seconds' in a) values[`a_${item.key}`] = String(a.seconds);
    else if (item.kind === 'yesno') values[`a_${item.key}`] = a.share === 1 ? 'yes' : 'no';
    else if (item.kind === 'graded') values[`a_${item.key}`] = String(item.levels.findIndex((l) => l.share === a.share));
  }
  return values;
}
