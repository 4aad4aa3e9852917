/**
 * npm run schemas: writes the JSON Schemas editors use beside the definitions
 * (surveys/scoresheets/schema.json). A test fails when the committed file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { scoresheetJsonSchema } from '../server/courtesy/scoresheet';
import { projectRoot } from '../server/platform/paths';
import { surveyJsonSchema } from '../server/surveys/definition';

export const SCHEMA_FILES: { file: string; schema: () => unknown }[] = [
  { file: path.join(projectRoot, 'surveys', 'scoresheets', 'schema.json'), schema: scoresheetJsonSchema },
  { file: path.join(projectRoot, 'surveys', 'schema.json'), schema: surveyJsonSchema },
];

export function schemaText(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
  for (const { file, schema } of SCHEMA_FILES) {
    fs.writeFileSync(file, schemaText(schema()));
    process.stdout.write(`wrote ${path.relative(projectRoot, file)}\n`);
  }
}
