import { DEFAULT_EVENT_SOURCE, FRIEND_DETAIL_TYPES, type FriendDetailType } from './events';

/** An EventBridge event pattern as JSON: what the console, CloudFormation, the AWS CLI and PutRule take. */
export interface FriendEventPattern {
  source: string[];
  'detail-type': FriendDetailType[];
}

export interface FriendEventPatternOptions {
  /** @default every detail-type */
  detailTypes?: readonly FriendDetailType[];
  /** The stack's `eventSource`. @default 'openim' */
  source?: string;
}

/** The rule pattern that matches these friend events, e.g. `JSON.stringify(friendEventPattern())` for PutRule. */
export const friendEventPattern = (options: FriendEventPatternOptions = {}): FriendEventPattern => ({
  source: [options.source ?? DEFAULT_EVENT_SOURCE],
  'detail-type': [...(options.detailTypes ?? FRIEND_DETAIL_TYPES)],
});
