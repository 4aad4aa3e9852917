import { z } from 'zod';
import { STAFF_MIN } from '../reports/dashboard-service';
import { problemResponse } from './schema';

/**
 * The OpenAPI 3.1 document of the API, built from the same endpoint list and
 * zod schemas the routes use (routes.ts), so that every route is described
 * and every parameter and answer is the one the code checks.
 */
export interface Endpoint {
  /** Express-style path (/api/v1/surveys/:survey/results). */
  path: string;
  id: string;
  summary: string;
  description: string;
  pathParams?: Record<string, { schema: z.ZodType; description: string }>;
  query: z.ZodObject;
  response: { name: string; schema: z.ZodType };
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** /a/:b/c → /a/{b}/c */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

const problemStatuses: Record<string, string> = {
  '400': 'Malformed or unknown parameters; each is named in `errors`.',
  '401': 'No token where the data is not public, or a token that is unknown, revoked or expired.',
  '403': 'The token’s owner may not read the API (role).',
  '404': 'No such survey.',
  '422': 'Well-formed parameters that name nothing usable (a unit outside the token’s reach, a staff-survey period shorter than a year).',
  '429': 'Too many requests; Retry-After says when to try again.',
};

export function openApiDocument(endpoints: readonly Endpoint[], serverUrl: string): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = { Problem: jsonSchema(problemResponse, 'output') };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    schemas[e.response.name] = jsonSchema(e.response.schema, 'output');
    const parameters: Record<string, unknown>[] = [];
    for (const [name, p] of Object.entries(e.pathParams ?? {})) parameters.push({ name, in: 'path', required: true, description: p.description, schema: jsonSchema(p.schema, 'input') });
    for (const [name, field] of Object.entries(e.query.shape)) {
      const schema = jsonSchema(field as z.ZodType, 'input');
      const description = typeof schema.description === 'string' ? schema.description : undefined;
      delete schema.description;
      parameters.push({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, ...(description ? { description } : {}), schema });
    }
    const responses: Record<string, unknown> = {
      '200': { description: 'The data.', content: { 'application/json': { schema: { $ref: `#/components/schemas/${e.response.name}` } } } },
    };
    for (const [status, description] of Object.entries(problemStatuses)) {
      if (status === '404' && !e.pathParams) continue;
      responses[status] = { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    paths[openApiPath(e.path)] = {
      get: { operationId: e.id, summary: e.summary, description: e.description, parameters, responses, security: [{ bearerToken: [] }, {}] },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Phone courtesy tests and satisfaction surveys: open data',
      version: '1.0.0',
      description:
        'Read-only, aggregated and de-identified figures: satisfaction survey results per survey, unit and period, and phone courtesy test summaries. ' +
        'Data an administrator marked public answers without a token; everything else needs a personal API token (Authorization: Bearer …), made on the “API tokens” page, which carries its owner’s reach (a unit head’s token sees the unit’s subtree only). ' +
        'Staff-survey figures count only groups of at least 5 respondents. ' +
        `Survey results of public data withhold every figure drawn from fewer than ${STAFF_MIN} answers (the overall figures, a question’s distribution, a dimension, a unit, a trend point), marked \`suppressed\`, for public data is meant for anyone. ` +
        'Errors are problem details (RFC 9457).',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'A personal API token (ctk_…).' } },
    },
  };
}
