/**
 * The published event contract (`@openim-friend-events/contract`, `npm run pack`): types, type
 * guards, detail-type constants, JSON Schemas and rule patterns. No runtime dependencies.
 */
export { allEventJsonSchemas, eventJsonSchema, snapshotEventJsonSchemas } from './event-schema';
export * from './events';
export * from './rule-pattern';
