/**
 * Field bounds. OpenIM sends user IDs of a few dozen characters and short request messages;
 * these limits sit far above any real payload and exist so that one event always fits in an
 * EventBridge entry (256 KiB) and an SQS message (256 KiB), even after JSON escaping.
 */
export const MAX_USER_ID_BYTES = 256;
export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_IMPORTED_FRIENDS = 100_000;
/** An import whose detail would be larger than this is split into parts. */
export const MAX_DETAIL_BYTES = 200 * 1024;
