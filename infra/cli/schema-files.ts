import { fileURLToPath } from 'node:url';
import type { FriendDetailType, SnapshotDetailType } from '../../functions/contract/events';

/** Where the published JSON Schemas live; a test keeps them equal to the generated ones. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../functions/contract/schemas/', import.meta.url));
export const schemaFileName = (detailType: FriendDetailType | SnapshotDetailType): string =>
  `${SCHEMAS_DIR}${detailType}.schema.json`;
