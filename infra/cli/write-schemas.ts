import { mkdirSync, writeFileSync } from 'node:fs';
import { allEventJsonSchemas, snapshotEventJsonSchemas } from '../../functions/contract/event-schema';
import { DEFAULT_EVENT_SOURCE } from '../../functions/contract/events';
import { cliArgs, EXIT, EXIT_MEANING } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { SCHEMAS_DIR, schemaFileName } from './schema-files';

/** `npm run schemas`: writes the published JSON Schemas (for subscribers outside TypeScript). */
await cliArgs({
  usage: 'npm run schemas',
  description: `Writes the published JSON Schemas of every event (snapshots included) to ${SCHEMAS_DIR} (a test keeps them current).`,
  options: {},
  exitCodes: { 0: 'written', 2: EXIT_MEANING.usage, 3: 'a file could not be written (the line says why)' },
});

await runMain(async () => {
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  const schemas = [...allEventJsonSchemas(DEFAULT_EVENT_SOURCE), ...snapshotEventJsonSchemas(DEFAULT_EVENT_SOURCE)];
  for (const { detailType, schema } of schemas) {
    writeFileSync(schemaFileName(detailType), `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote ${schemaFileName(detailType)}`);
  }
  return EXIT.ok;
});
