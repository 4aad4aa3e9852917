import type { Survey } from './definition';
import type { Answers } from './submission';

/**
 * What one response adds to the stored aggregates. Counts: one per answered
 * question and value (options of a multiple-choice question each count; text
 * counts as answered). Sections: over complete cases (every Likert item of the
 * section answered on the scale, none N/A), n, each item's sum, and each pair's
 * sum of products, i ≤ j in the section's order (i = j gives the sum of squares).
 * Cells, for weighting: each respondent's combination of the weighting
 * demographics (sex, age band, district), with the Likert answers given in it.
 */
export interface CountDelta {
  questionKey: string;
  value: string;
}

export interface SectionDelta {
  sectionKey: string;
  itemI: string;
  itemJ: string;
  sum: number;
}

export interface CellDelta {
  cell: string;
  questionKey: string;
  value: string;
}

export const SECTION_N = '#';
/** The cell's respondent count, stored as a question of its own. */
export const CELL_N = '#';
/** Demographics that population margins are published for, and so can be raked to. */
export const WEIGHTING_DIMENSIONS = ['sex', 'age', 'district'] as const;
export const ITEM_SUM = '';
export const TEXT_ANSWERED = '__text';

/** The weighting questions of a survey, by key, in a fixed order. */
export function weightingQuestions(survey: Survey): { key: string; dimension: string; levels: string[] }[] {
  return survey.sections
    .flatMap((s) => s.questions)
    .flatMap((q) => (q.type === 'demographic' && (WEIGHTING_DIMENSIONS as readonly string[]).includes(q.dimension) ? [{ key: q.key, dimension: q.dimension, levels: q.options.map((o) => o.value) }] : []))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** "age=age30_49;sex=female"; a question left unanswered has an empty level. */
export function cellKey(questions: readonly { key: string }[], answers: Answers): string {
  return questions.map((q) => `${q.key}=${answers.get(q.key)?.value ?? ''}`).join(';');
}

/** The levels of a cell key, by question key. */
export function cellLevels(cell: string): Record<string, string> {
  return Object.fromEntries(cell.split(';').map((part) => part.split('=') as [string, string]));
}

/** What deltaOf needs of a survey, worked out once per survey (its objects live as long as the server). */
interface Shape {
  types: Map<string, string>;
  sections: { key: string; items: string[] }[];
  weighting: { key: string }[];
  likert: string[];
}
const shapes = new WeakMap<Survey, Shape>();

function shapeOf(survey: Survey): Shape {
  let shape = shapes.get(survey);
  if (!shape) {
    const questions = survey.sections.flatMap((s) => s.questions);
    shape = {
      types: new Map(questions.map((q) => [q.key, q.type])),
      sections: survey.sections.map((s) => ({ key: s.key, items: s.questions.filter((q) => q.type === 'likert').map((q) => q.key) })).filter((s) => s.items.length > 0),
      weighting: weightingQuestions(survey),
      likert: questions.filter((q) => q.type === 'likert').map((q) => q.key),
    };
    shapes.set(survey, shape);
  }
  return shape;
}

export function deltaOf(survey: Survey, answers: Answers): { counts: CountDelta[]; sections: SectionDelta[]; cells: CellDelta[] } {
  const shape = shapeOf(survey);
  const counts: CountDelta[] = [];
  for (const [questionKey, a] of answers) {
    if (a.value !== null) counts.push({ questionKey, value: a.value });
    else if (shape.types.get(questionKey) === 'multiple' && a.text !== null) {
      for (const option of JSON.parse(a.text) as string[]) counts.push({ questionKey, value: option });
    } else counts.push({ questionKey, value: TEXT_ANSWERED });
  }
  const sections: SectionDelta[] = [];
  for (const { key: sectionKey, items } of shape.sections) {
    const values = items.map((k) => answers.get(k)?.value);
    if (!values.every((v) => v !== undefined && v !== null && v !== 'na')) continue;
    const x = values.map(Number);
    sections.push({ sectionKey, itemI: SECTION_N, itemJ: SECTION_N, sum: 1 });
    items.forEach((ki, i) => {
      sections.push({ sectionKey, itemI: ki, itemJ: ITEM_SUM, sum: x[i] as number });
      for (let j = i; j < items.length; j += 1) {
        sections.push({ sectionKey, itemI: ki, itemJ: items[j] as string, sum: (x[i] as number) * (x[j] as number) });
      }
    });
  }
  const cells: CellDelta[] = [];
  if (shape.weighting.length > 0 && answers.size > 0) {
    const cell = cellKey(shape.weighting, answers);
    cells.push({ cell, questionKey: CELL_N, value: CELL_N });
    for (const key of shape.likert) {
      const value = answers.get(key)?.value;
      if (value !== undefined && value !== null) cells.push({ cell, questionKey: key, value });
    }
  }
  return { counts, sections, cells };
}

export type AggregateRow = Record<string, string | number>;

/**
 * Aggregate rows found by three parts of their key, in nested maps. The parts
 * are mostly a survey's own strings, whose hashes V8 keeps: a key joined from
 * them would be built and hashed anew for every answer (five times slower).
 */
class RowIndex {
  private readonly tree = new Map<string, Map<string, Map<string, AggregateRow>>>();
  readonly rows: AggregateRow[] = [];

  /** Adds `by` to `column` of the row at a, b, c; the row is made from the delta the first time. */
  add<D>(a: string, b: string, c: string, column: string, by: number, base: AggregateRow, delta: D, fields: (d: D) => AggregateRow): void {
    let level1 = this.tree.get(a);
    if (!level1) this.tree.set(a, (level1 = new Map()));
    let level2 = level1.get(b);
    if (!level2) level1.set(b, (level2 = new Map()));
    const row = level2.get(c);
    if (row) row[column] = (row[column] as number) + by;
    else {
      const made = { ...base, ...fields(delta), [column]: by };
      level2.set(c, made);
      this.rows.push(made);
    }
  }
}
const countFields = (c: CountDelta): AggregateRow => ({ question_key: c.questionKey, value: c.value });
const sectionFields = (s: SectionDelta): AggregateRow => ({ section_key: s.sectionKey, item_i: s.itemI, item_j: s.itemJ });
const cellFields = (c: CellDelta): AggregateRow => ({ cell: c.cell, question_key: c.questionKey, value: c.value });

/**
 * Aggregate rows to add (or, with sign −1, to take away), merged by key so
 * that a batch writes each row once; kept per survey, channel, unit and
 * month, which a batch's responses mostly share. Rows are in the tables'
 * column names, as the repository writes them.
 */
export class Deltas {
  private readonly groups = new Map<string, { base: AggregateRow; counts: RowIndex; sections: RowIndex; cells: RowIndex }>();

  add(k: { surveyKey: string; channelId: number; unitId: number; month: string }, delta: { counts: CountDelta[]; sections: SectionDelta[]; cells: CellDelta[] }, sign: 1 | -1): void {
    const id = `${k.surveyKey}\u0000${k.channelId}\u0000${k.unitId}\u0000${k.month}`;
    let g = this.groups.get(id);
    if (!g) {
      g = { base: { survey_key: k.surveyKey, channel_id: k.channelId, unit_id: k.unitId, month: k.month }, counts: new RowIndex(), sections: new RowIndex(), cells: new RowIndex() };
      this.groups.set(id, g);
    }
    for (const c of delta.counts) g.counts.add(c.questionKey, c.value, '', 'n', sign, g.base, c, countFields);
    for (const s of delta.sections) g.sections.add(s.sectionKey, s.itemI, s.itemJ, 'sum', sign * s.sum, g.base, s, sectionFields);
    for (const c of delta.cells) g.cells.add(c.cell, c.questionKey, c.value, 'n', sign, g.base, c, cellFields);
  }

  rows(kind: 'counts' | 'sections' | 'cells'): AggregateRow[] {
    return [...this.groups.values()].flatMap((g) => g[kind].rows);
  }
}
