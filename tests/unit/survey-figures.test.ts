import path from 'node:path';
import type { SectionRow } from '../../server/reports/dashboard-repo';
import { dimensions } from '../../server/reports/survey-figures';
import { sectionSummary } from '../../server/stats/survey';
import { ITEM_SUM, SECTION_N } from '../../server/surveys/aggregate';
import { loadSurveys } from '../../server/surveys/definition';

const citizen = loadSurveys(path.resolve(__dirname, '../../surveys')).find((v) => v.survey.key === 'citizen')?.survey;
if (!citizen) throw new Error('no citizen survey');

/** The section rows one month of complete courtesy answers (attitude, attention) leaves in the aggregates. */
function monthRows(answers: [number, number][]): SectionRow[] {
  const row = (itemI: string, itemJ: string, sum: number): SectionRow => ({ sectionKey: 'courtesy', itemI, itemJ, sum });
  const total = (f: (a: [number, number]) => number) => answers.reduce((s, a) => s + f(a), 0);
  return [
    row(SECTION_N, SECTION_N, answers.length),
    row('cour.attitude', ITEM_SUM, total(([x]) => x)),
    row('cour.attention', ITEM_SUM, total(([, y]) => y)),
    row('cour.attitude', 'cour.attitude', total(([x]) => x * x)),
    row('cour.attitude', 'cour.attention', total(([x, y]) => x * y)),
    row('cour.attention', 'cour.attention', total(([, y]) => y * y)),
  ];
}

describe('dimensions from section sums', () => {
  test('rows of one key from several months add up (the dashboard reads them per month)', () => {
    // Five respondents: (5,4) (4,4) (3,2) in one month, (5,5) (2,3) in the next.
    // By hand: n = 5; sums 19, 18; squares 79 and 70; products 20+16+6+25+6 = 73.
    const rows = [...monthRows([[5, 4], [4, 4], [3, 2]]), ...monthRows([[5, 5], [2, 3]])];
    const courtesy = dimensions(citizen, rows).find((d) => d.key === 'courtesy');
    expect(courtesy?.items).toEqual(['cour.attitude', 'cour.attention']);
    expect(courtesy?.summary).toEqual(sectionSummary({ n: 5, sums: [19, 18], crossProducts: [[79, 73], [73, 70]] }));
    expect(courtesy?.summary.n).toBe(5);
  });

  test('a section with no rows has no respondents', () => {
    const environment = dimensions(citizen, monthRows([[5, 4]])).find((d) => d.key === 'environment');
    expect(environment?.summary.n).toBe(0);
  });
});
