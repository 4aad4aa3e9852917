import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  canonicalJson,
  loadScoresheets,
  ScoresheetError,
  scoresheetJsonSchema,
  scoresheetSchema,
  versionOf,
  type Scoresheet,
} from '../../server/courtesy/scoresheet';

const SHEETS_DIR = path.resolve(__dirname, '../../surveys/scoresheets');

const t = (s: string) => ({ 'zh-TW': s, en: s });

/** A small valid sheet as raw JSON (what an editor writes), to be broken one way per test. */
function rawSheet(): Record<string, unknown> {
  return {
    key: 'mini',
    title: t('mini'),
    parts: [
      {
        key: 'unit',
        title: t('unit'),
        points: 10,
        naRedistribution: 'section',
        sections: [
          {
            key: 'u.courtesy',
            title: t('courtesy'),
            points: 10,
            items: [
              { key: 'u.greeting', kind: 'yesno', points: 4, text: t('greeting') },
              {
                key: 'u.tone',
                kind: 'graded',
                points: 6,
                text: t('tone'),
                levels: [
                  { share: 0, label: t('cold') },
                  { share: 1, label: t('warm') },
                ],
              },
            ],
          },
        ],
      },
    ],
    criticalFlags: [{ key: 'rude', text: t('rude') }],
  };
}

interface RawItem {
  key: string;
  kind: string;
  points: number;
  levels?: unknown[];
}
interface RawSection {
  key: string;
  points: number;
  items: RawItem[];
}
interface RawPart {
  sections: RawSection[];
}

/** The mini sheet's only section, to mutate in place. */
function sectionOf(raw: Record<string, unknown>): RawSection {
  const parts = raw.parts as RawPart[];
  const section = parts[0]?.sections[0];
  if (!section) throw new Error('mini sheet has no section');
  return section;
}

function itemOf(raw: Record<string, unknown>, index: number): RawItem {
  const item = sectionOf(raw).items[index];
  if (!item) throw new Error(`mini sheet has no item ${index}`);
  return item;
}

const tempDirs: string[] = [];
function tempDirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scoresheet-test-'));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The message loadScoresheets throws for a folder holding only this sheet. */
function loadError(raw: unknown): string {
  const dir = tempDirWith({ 'broken.json': JSON.stringify(raw, null, 2) });
  try {
    loadScoresheets(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ScoresheetError);
    return (err as Error).message;
  }
  throw new Error('the sheet was accepted');
}

function parse(raw: unknown): Scoresheet {
  return scoresheetSchema.parse(raw);
}

describe('the standard sheet', () => {
  // Fails today: the item key "un.answerQuality" has an upper-case letter, which the key pattern
  // /^[a-z][a-z0-9_.-]{0,63}$/ refuses, so the shipped sheet does not load (see report).
  test('loads from surveys/scoresheets with the published point split (45 = 25 + 20; 55 = 15 + 25 + 15)', () => {
    const loaded = loadScoresheets(SHEETS_DIR);
    const standard = loaded.find((v) => v.sheet.key === 'standard');
    expect(standard).toBeDefined();
    if (!standard) return;
    expect(standard.version).toMatch(/^[0-9a-f]{16}$/);
    const { sheet } = standard;

    const split = sheet.parts.map((p) => ({
      key: p.key,
      points: p.points,
      sections: p.sections.map((s) => [s.key, s.points]),
    }));
    expect(split).toEqual([
      { key: 'switchboard', points: 45, sections: [['sb.speed', 25], ['sb.courtesy', 20]] },
      { key: 'unit', points: 55, sections: [['un.speed', 15], ['un.courtesy', 25], ['un.content', 15]] },
    ]);
    expect(sheet.parts.reduce((sum, p) => sum + p.points, 0)).toBe(100);
    for (const part of sheet.parts) {
      expect(part.sections.reduce((sum, s) => sum + s.points, 0)).toBe(part.points);
      for (const section of part.sections) expect(section.items.reduce((sum, i) => sum + i.points, 0)).toBe(section.points);
    }
    expect(sheet.criticalFlags.map((f) => f.key)).toEqual(['rude', 'hungup', 'leak']);
  });

  test('loads the same sheet when schema.json sits next to it, and skips non-JSON files', () => {
    const standard = fs.readFileSync(path.join(SHEETS_DIR, 'standard.json'), 'utf8');
    const dir = tempDirWith({
      'standard.json': standard,
      'schema.json': JSON.stringify(scoresheetJsonSchema()),
      'README.md': '# not a sheet',
    });
    const loaded = loadScoresheets(dir);
    expect(loaded.map((v) => v.sheet.key)).toEqual(['standard']);
  });
});

describe('invalid sheets are refused with the problem named', () => {
  test('the mini sheet used below is itself valid', () => {
    const dir = tempDirWith({ 'mini.json': JSON.stringify(rawSheet()) });
    const [loaded] = loadScoresheets(dir);
    expect(loaded?.sheet.key).toBe('mini');
    // allowNA defaults to false.
    expect(loaded?.sheet.parts[0]?.sections[0]?.items[0]?.allowNA).toBe(false);
  });

  test("a section's points differ from the sum of its items", () => {
    const raw = rawSheet();
    sectionOf(raw).points = 12; // items: 4 + 6 = 10
    const message = loadError(raw);
    expect(message).toContain('broken.json');
    expect(message).toContain('parts.0.sections.0');
    expect(message).toContain("a section's points must equal the sum of its items' points");
  });

  test("a part's points differ from the sum of its sections", () => {
    const raw = rawSheet();
    (raw.parts as { points: number }[]).forEach((p) => (p.points = 11)); // its one section has 10
    expect(loadError(raw)).toContain("a part's points must equal the sum of its sections' points");
  });

  test('an item key used twice', () => {
    const raw = rawSheet();
    itemOf(raw, 1).key = 'u.greeting';
    expect(loadError(raw)).toContain('key "u.greeting" is used twice');
  });

  test('an item key equal to a critical flag key', () => {
    const raw = rawSheet();
    itemOf(raw, 0).key = 'rude';
    expect(loadError(raw)).toContain('key "rude" is used twice');
  });

  test('an unknown item kind', () => {
    const raw = rawSheet();
    itemOf(raw, 0).kind = 'stars';
    const message = loadError(raw);
    expect(message).toContain('parts.0.sections.0.items.0');
    expect(message).toMatch(/items\.0\.kind: .*yesno.*graded.*measured/);
  });

  test('a graded item with a single level', () => {
    const raw = rawSheet();
    itemOf(raw, 1).levels = [{ share: 1, label: t('warm') }];
    const message = loadError(raw);
    expect(message).toContain('parts.0.sections.0.items.1.levels');
    expect(message).toMatch(/>=\s*2|at least 2|too small/i);
  });

  test('a file that is not JSON', () => {
    const dir = tempDirWith({ 'bad.json': '{ "key": ' });
    expect(() => loadScoresheets(dir)).toThrow(/bad\.json: not JSON/);
  });

  test('a part tested twice', () => {
    const raw = rawSheet();
    const parts = raw.parts as RawPart[];
    const copy = JSON.parse(JSON.stringify(parts[0])) as { sections: { key: string; items: { key: string }[] }[] };
    for (const s of copy.sections) {
      s.key = `${s.key}2`;
      for (const i of s.items) i.key = `${i.key}2`;
    }
    raw.parts = [...parts, copy];
    expect(loadError(raw)).toContain('a part appears twice');
  });
});

describe('versionOf', () => {
  const original = parse(rawSheet());

  test('is 16 hex digits and does not change with key order, whitespace or $schema', () => {
    const v = versionOf(original);
    expect(v).toMatch(/^[0-9a-f]{16}$/);

    // Same content with every object's keys reversed, written with other whitespace and a $schema.
    const reverseKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reverseKeys);
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, x]) => [k, reverseKeys(x)]));
      }
      return value;
    };
    const reordered = reverseKeys({ $schema: './schema.json', ...rawSheet() });
    expect(canonicalJson(reordered)).toBe(canonicalJson(rawSheet()));
    expect(versionOf(parse(reordered))).toBe(v);

    // One folder may define a sheet only once, so each form is loaded from its own folder.
    const compact = loadScoresheets(tempDirWith({ 'a.json': JSON.stringify(rawSheet()) })).map((s) => s.version);
    const spaced = loadScoresheets(tempDirWith({ 'b.json': JSON.stringify(reordered, null, 4).replace(/\n/g, '\r\n') })).map((s) => s.version);
    expect([...compact, ...spaced]).toEqual([v, v]);
  });

  test('two files defining the same sheet are refused', () => {
    const dir = tempDirWith({ 'a.json': JSON.stringify(rawSheet()), 'b.json': JSON.stringify(rawSheet()) });
    expect(() => loadScoresheets(dir)).toThrow(/both define the sheet "mini"/);
  });

  test('changes when a point value changes', () => {
    const raw = rawSheet();
    // 4 → 5 points for the greeting, and the section and part sums with it.
    (raw.parts as { points: number }[]).forEach((p) => (p.points = 11));
    sectionOf(raw).points = 11;
    itemOf(raw, 0).points = 5;
    expect(versionOf(parse(raw))).not.toBe(versionOf(original));
  });

  test('changes when a text changes, even by one character', () => {
    const raw = rawSheet();
    raw.title = { 'zh-TW': 'mini', en: 'mini.' };
    expect(versionOf(parse(raw))).not.toBe(versionOf(original));
  });

  test('changes when items swap places (order is content)', () => {
    const raw = rawSheet();
    sectionOf(raw).items.reverse();
    expect(versionOf(parse(raw))).not.toBe(versionOf(original));
  });

  test('canonicalJson sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

describe('scoresheetJsonSchema', () => {
  test('is an object schema with properties.parts', () => {
    const schema = scoresheetJsonSchema() as { type?: unknown; properties?: Record<string, unknown> };
    expect(typeof schema).toBe('object');
    expect(schema.type).toBe('object');
    expect(schema.properties).toHaveProperty('parts');
    expect(schema.properties).toHaveProperty('criticalFlags');
  });
});
