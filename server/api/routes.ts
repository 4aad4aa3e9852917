import type { Request } from 'express';
import type { z } from 'zod';
import { get, type Route } from '../platform/routes';
import { STAFF_MIN } from '../reports/dashboard-service';
import type { ApiGate, DatasetOf } from './access';
import { surveyDataset } from './datasets';
import { openApiDocument, type Endpoint } from './openapi';
import { ApiError, parameterErrors } from './problem';
import type { ApiService } from './service';
import { figuresQuery, noQuery, periodsResponse, phoneTestsResponse, surveyKeyParam, surveyResultsResponse, surveysResponse, unitsResponse } from './schema';

/** Who may hold a token: those who read the dashboard. A unit head's token reads the unit's subtree. */
const READERS = ['admin', 'manager', 'unit_head'] as const;

function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw new ApiError(400, 'api.problem.parameters', parameterErrors(parsed.error, req.query));
  return parsed.data;
}

const surveyParam = (req: Request) => (typeof req.params.survey === 'string' ? req.params.survey : '');

export const API_ENDPOINTS = {
  surveys: {
    path: '/api/v1/surveys',
    id: 'listSurveys',
    summary: 'Surveys',
    description: 'The surveys whose results the caller may read (without a token: the public ones), with their Likert questions, scales and dimensions.',
    query: noQuery,
    response: { name: 'SurveyList', schema: surveysResponse },
  },
  results: {
    path: '/api/v1/surveys/:survey/results',
    id: 'surveyResults',
    summary: 'Survey results for a unit and period',
    description:
      'Counts, each Likert question’s distribution, the satisfied share (top-2 box) with its Wilson interval, the margin of error, dimension scores with Cronbach’s α, units compared and the monthly trend. ' +
      'The staff survey is reported by whole years only, and counts only groups of at least 5 respondents. ' +
      `Public data withholds every figure of fewer than ${STAFF_MIN} answers (overall, question, dimension, unit or trend point; see publicMinimum and each \`suppressed\`).`,
    pathParams: { survey: { schema: surveyKeyParam, description: 'The survey key.' } },
    query: figuresQuery,
    response: { name: 'SurveyResults', schema: surveyResultsResponse },
  },
  units: {
    path: '/api/v1/units',
    id: 'listUnits',
    summary: 'Units',
    description: 'The units within the caller’s reach (their public fields only: no phone numbers, no people).',
    query: noQuery,
    response: { name: 'UnitList', schema: unitsResponse },
  },
  periods: {
    path: '/api/v1/periods',
    id: 'listPeriods',
    summary: 'Periods with data',
    description: 'For each dataset the caller may read, the months, quarters, half-years and years that hold data, newest first.',
    query: noQuery,
    response: { name: 'PeriodList', schema: periodsResponse },
  },
  phoneTests: {
    path: '/api/v1/phone-tests',
    id: 'phoneTests',
    summary: 'Phone courtesy test summaries',
    description: 'For the period: tests scored, unreachable, mean score with its t interval, bands, and the share under the follow-up threshold with its Wilson interval; per month, per unit and per unit and month. Testers are never named.',
    query: figuresQuery,
    response: { name: 'PhoneTests', schema: phoneTestsResponse },
  },
} satisfies Record<string, Endpoint>;

export function apiRoutes(api: ApiService, gate: ApiGate, serverUrl: () => string): Route[] {
  const access = (dataset: DatasetOf) => gate.access(READERS, dataset);
  const e = API_ENDPOINTS;
  let document: Record<string, unknown> | undefined;
  return [
    get('/api/openapi.json', 'public', (_req, res) => {
      document ??= openApiDocument(Object.values(API_ENDPOINTS), serverUrl());
      res.json(document);
    }),
    get(e.surveys.path, access(() => 'catalog'), (req, res) => {
      parseQuery(noQuery, req);
      res.json(api.catalog(gate.grant(req)));
    }),
    get(e.results.path, access((req) => surveyDataset(surveyParam(req))), async (req, res) => {
      const query = parseQuery(figuresQuery, req);
      res.json(await api.surveyResults(gate.grant(req), surveyParam(req), query));
    }),
    get(e.units.path, access(() => 'units'), async (req, res) => {
      parseQuery(noQuery, req);
      res.json(await api.unitList(gate.grant(req)));
    }),
    get(e.periods.path, access(() => 'catalog'), async (req, res) => {
      parseQuery(noQuery, req);
      res.json(await api.periods(gate.grant(req)));
    }),
    get(e.phoneTests.path, access(() => 'phone-tests'), async (req, res) => {
      const query = parseQuery(figuresQuery, req);
      res.json(await api.phoneTests(gate.grant(req), query));
    }),
  ];
}
