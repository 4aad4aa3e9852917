import type { Db } from '../../server/platform/db';
import { rng } from '../../server/courtesy/random';
import type { VersionedSurvey } from '../../server/surveys/definition';
import { SurveysRepo } from '../../server/surveys/repo';
import type { Answers } from '../../server/surveys/submission';
import { syntheticAnswers, type SyntheticOptions } from '../../server/surveys/synthetic';

export interface SeedChannel {
  id: number;
  unitId: number;
}

/**
 * Stores responses the way a submission does (raw rows and aggregates in one
 * transaction) but for any month, many at a time. The unit is the channel's,
 * or for the staff survey the unit the answers name (0: none).
 */
export async function seedResponses(db: Db, survey: VersionedSurvey, channel: SeedChannel, items: readonly { month: string; answers: Answers }[]): Promise<void> {
  const repo = new SurveysRepo(db);
  const versionId = await repo.ensureVersion(survey, '2026-01-01T00:00:00.000Z');
  const staff = survey.survey.kind === 'staff';
  for (let i = 0; i < items.length; i += 500) {
    const batch = items.slice(i, i + 500).map(({ month, answers }) => ({
      response: {
        surveyVersionId: versionId,
        channelId: channel.id,
        unitId: staff ? Number(answers.get('unit')?.value ?? 0) : channel.unitId,
        month,
        submittedAt: `${month}-15T02:00:00.000Z`,
        sourceHash: null,
        flag: null,
      },
      survey: survey.survey,
      answers,
    }));
    await db.transaction((trx) => repo.insertResponses(batch, trx));
  }
}

/** `perMonth` synthetic responses in each month listed. */
export function synthetic(survey: VersionedSurvey, months: readonly string[], perMonth: number, seed: string, options: SyntheticOptions): { month: string; answers: Answers }[] {
  const random = rng(seed);
  return months.flatMap((month) => Array.from({ length: perMonth }, () => ({ month, answers: syntheticAnswers(survey.survey, random, options) })));
}
