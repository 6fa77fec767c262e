import { mkdirSync, writeFileSync } from 'node:fs';
import { allEventJsonSchemas } from '../../functions/contract/event-schema';
import { DEFAULT_EVENT_SOURCE } from '../../functions/contract/events';
import { SCHEMAS_DIR, schemaFileName } from './schema-files';

/** `npm run schemas`: writes the published JSON Schemas (for subscribers outside TypeScript). */
mkdirSync(SCHEMAS_DIR, { recursive: true });
for (const { detailType, schema } of allEventJsonSchemas(DEFAULT_EVENT_SOURCE)) {
  writeFileSync(schemaFileName(detailType), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${schemaFileName(detailType)}`);
}
