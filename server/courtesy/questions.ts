import { z } from 'zod';
import type { CurrentUser } from '../auth/current-user';
import type { Db } from '../platform/db';
import { NotFoundError } from '../platform/errors';
import { parseForm, renderFormErrors, renderPage, setFlash } from '../platform/http';
import { get, idParam, post, type Route } from '../platform/routes';
import type { Unit } from '../org/units-repo';
import type { UnitsService } from '../org/units-service';

/**
 * A unit's question bank: what a tester may ask when calling the unit, with
 * the points a right answer contains (and false premises to correct).
 */
export interface Question {
  id: number;
  question: string;
  keyPoints: string;
  active: boolean;
}

const questionSchema = z.object({
  question: z.string().trim().min(1, 'validation.required').max(1000, 'validation.tooLong'),
  keyPoints: z.string().trim().max(2000, 'validation.tooLong').default(''),
});

export class QuestionsRepo {
  constructor(private readonly db: Db) {}

  async forUnit(unitId: number): Promise<Question[]> {
    const rows = await this.db('unit_questions').where({ unit_id: unitId }).orderBy('id');
    return rows.map((r: { id: number; question: string; key_points: string; active: boolean | number }) => ({
      id: r.id,
      question: r.question,
      keyPoints: r.key_points,
      active: Boolean(r.active),
    }));
  }

  async add(unitId: number, question: string, keyPoints: string, now: string): Promise<void> {
    await this.db('unit_questions').insert({ unit_id: unitId, question, key_points: keyPoints, active: true, created_at: now });
  }

  async setActive(unitId: number, id: number, active: boolean): Promise<void> {
    await this.db('unit_questions').where({ id, unit_id: unitId }).update({ active });
  }
}

const MANAGE = ['admin', 'manager'] as const;

export function questionRoutes(questions: QuestionsRepo, units: UnitsService, clock: () => Date): Route[] {
  const unitOf = async (user: CurrentUser | undefined, raw: string | string[] | undefined): Promise<Unit> => {
    const id = idParam(raw);
    if (!user || id === undefined) throw new NotFoundError();
    return units.get(user, id);
  };
  return [
    get('/units/:id/questions', MANAGE, async (req, res) => {
      const unit = await unitOf(req.user, req.params.id);
      await renderPage(res, 'courtesy/questions', { unit, questions: await questions.forUnit(unit.id) });
    }),
    post('/units/:id/questions', MANAGE, async (req, res) => {
      const unit = await unitOf(req.user, req.params.id);
      const form = parseForm(questionSchema, req.body);
      if (!form.ok) return renderFormErrors(res, 'courtesy/questions', form.errors, req.body, { unit, questions: await questions.forUnit(unit.id) });
      await questions.add(unit.id, form.data.question, form.data.keyPoints, clock().toISOString());
      setFlash(req, 'question.added');
      res.redirect(303, `/units/${unit.id}/questions`);
    }),
    post('/units/:id/questions/:qid/deactivate', MANAGE, async (req, res) => {
      const unit = await unitOf(req.user, req.params.id);
      const qid = idParam(req.params.qid);
      if (qid === undefined) throw new NotFoundError();
      await questions.setActive(unit.id, qid, false);
      setFlash(req, 'question.removed');
      res.redirect(303, `/units/${unit.id}/questions`);
    }),
  ];
}
