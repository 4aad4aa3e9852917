import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Scoring sheets (量表) are data: surveys/scoresheets/*.json, validated here at
 * start. A sheet's version is the hash of its content, so editing a file makes
 * a new version and every result keeps the one it was scored with.
 */
const text = z.object({ 'zh-TW': z.string().min(1), en: z.string().min(1) }).strict();
const key = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/);

const base = { key, text, points: z.number().positive(), allowNA: z.boolean().default(false) };

const yesNoItem = z.object({ ...base, kind: z.literal('yesno') }).strict();
const gradedItem = z
  .object({
    ...base,
    kind: z.literal('graded'),
    /** Shares of the item's points a tester may give, e.g. 0, ½, 1; each with its label. */
    levels: z.array(z.object({ share: z.number().min(0).max(1), label: text }).strict()).min(2),
  })
  .strict()
  .refine((i) => i.levels.some((l) => l.share === 1), { message: 'a graded item needs a level worth full points (share 1)' });
const measuredItem = z
  .object({
    ...base,
    kind: z.literal('measured'),
    /** Ring time → share of points: the first threshold whose maxSeconds the time does not exceed; beyond all, 0. */
    thresholds: z.array(z.object({ maxSeconds: z.number().positive(), share: z.number().min(0).max(1) }).strict()).min(1),
  })
  .strict()
  .refine((i) => i.thresholds.some((t) => t.share === 1), { message: 'a measured item needs a threshold worth full points (share 1)' });

export const itemSchema = z.discriminatedUnion('kind', [yesNoItem, gradedItem, measuredItem]);

const sectionSchema = z
  .object({ key, title: text, points: z.number().positive(), items: z.array(itemSchema).min(1) })
  .strict()
  .refine((s) => Math.abs(s.items.reduce((sum, i) => sum + i.points, 0) - s.points) < 1e-9, {
    message: "a section's points must equal the sum of its items' points",
  });

const partSchema = z
  .object({
    key: z.enum(['switchboard', 'unit']),
    title: text,
    points: z.number().positive(),
    /** Where the points of an item marked N/A go: the rest of its section, or the rest of its part. */
    naRedistribution: z.enum(['section', 'part']),
    sections: z.array(sectionSchema).min(1),
  })
  .strict()
  .refine((p) => Math.abs(p.sections.reduce((sum, s) => sum + s.points, 0) - p.points) < 1e-9, {
    message: "a part's points must equal the sum of its sections' points",
  });

export const scoresheetSchema = z
  .object({
    $schema: z.string().optional(),
    key,
    title: text,
    parts: z.array(partSchema).min(1),
    /** Lapses that open an improvement case whatever the score. */
    criticalFlags: z.array(z.object({ key, text }).strict()),
  })
  .strict()
  .superRefine((sheet, ctx) => {
    const keys = [...sheet.parts.flatMap((p) => p.sections.flatMap((s) => s.items.map((i) => i.key))), ...sheet.criticalFlags.map((f) => f.key)];
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `key "${dup}" is used twice` });
    const parts = sheet.parts.map((p) => p.key);
    if (new Set(parts).size !== parts.length) ctx.addIssue({ code: 'custom', message: 'a part appears twice' });
  });

export type Scoresheet = z.output<typeof scoresheetSchema>;
export type SheetPart = Scoresheet['parts'][number];
export type SheetSection = SheetPart['sections'][number];
export type SheetItem = z.output<typeof itemSchema>;

export interface VersionedSheet {
  sheet: Scoresheet;
  /** First 16 hex digits of the SHA-256 of the sheet's canonical JSON. */
  version: string;
}

/** JSON with object keys sorted, so that formatting and key order do not make a new version. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== undefined && k !== '$schema')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function versionOf(sheet: Scoresheet): string {
  return crypto.createHash('sha256').update(canonicalJson(sheet)).digest('hex').slice(0, 16);
}

export class ScoresheetError extends Error {}

/** Reads and validates every sheet in a folder; any invalid file stops the start with its path and problems. */
export function loadScoresheets(dir: string): VersionedSheet[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'schema.json');
  const loaded = files.map((file) => {
    const full = path.join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (err) {
      throw new ScoresheetError(`${full}: not JSON (${(err as Error).message})`);
    }
    const parsed = scoresheetSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(sheet)'}: ${i.message}`).join('\n');
      throw new ScoresheetError(`${full} is not a valid scoring sheet:\n${problems}`);
    }
    return { sheet: parsed.data, version: versionOf(parsed.data), file: full };
  });
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const other = seen.get(l.sheet.key);
    if (other) throw new ScoresheetError(`${l.file} and ${other} both define the sheet "${l.sheet.key}"`);
    seen.set(l.sheet.key, l.file);
  }
  return loaded.map(({ sheet, version }) => ({ sheet, version }));
}

/** The JSON Schema editors use (surveys/scoresheets/schema.json), generated from the zod schema. */
export function scoresheetJsonSchema(): unknown {
  return z.toJSONSchema(scoresheetSchema, { io: 'input', unrepresentable: 'any' });
}
