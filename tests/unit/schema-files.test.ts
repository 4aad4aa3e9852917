import fs from 'node:fs';
import { SCHEMA_FILES, schemaText } from '../../scripts/schemas';

test.each(SCHEMA_FILES.map((s) => [s.file, s.schema] as const))('%s is up to date (npm run schemas writes it)', (file, schema) => {
  expect(fs.readFileSync(file, 'utf8')).toBe(schemaText(schema()));
});
