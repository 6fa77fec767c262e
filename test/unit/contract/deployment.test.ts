import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ENTRY_POINTS } from '../../../functions/contract/deployment';

const HANDLERS_DIR = fileURLToPath(new URL('../../../functions/handlers/', import.meta.url));

describe('the deployment part of the contract', () => {
  it('lists exactly the entry points in functions/handlers, so the construct and the package bundle every one', () => {
    const files = readdirSync(HANDLERS_DIR, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => `handlers/${entry.name}`)
      .sort();
    expect([...Object.values(ENTRY_POINTS)].sort()).toEqual(files);
  });
});
