import { DEFAULT_EVENT_SOURCE, FRIEND_DETAIL_TYPES, type FriendDetailType } from './events';

/** An EventBridge event pattern as JSON: what the console, CloudFormation, the AWS CLI and PutRule take. */
export interface FriendEventPattern {
  source: string[];
  'detail-type': FriendDetailType[];
  /** Leaves out test traffic (events whose detail has `synthetic`); absent with `includeSynthetic`. */
  detail?: { synthetic: [{ exists: false }] };
}

export interface FriendEventPatternOptions {
  /** @default every detail-type */
  detailTypes?: readonly FriendDetailType[];
  /** The stack's `eventSource`. @default 'openim' */
  source?: string;
  /** Also match test traffic (`npm run send`, whose events carry `synthetic: true`). @default false */
  includeSynthetic?: boolean;
}

/**
 * The rule pattern that matches these friend events, e.g. `JSON.stringify(friendEventPattern())`
 * for PutRule. Real events only, unless `includeSynthetic`: a smoke test never reaches a subscriber
 * that did not ask for it.
 */
export const friendEventPattern = (options: FriendEventPatternOptions = {}): FriendEventPattern => ({
  source: [options.source ?? DEFAULT_EVENT_SOURCE],
  'detail-type': [...(options.detailTypes ?? FRIEND_DETAIL_TYPES)],
  ...(options.includeSynthetic ? {} : { detail: { synthetic: [{ exists: false }] } }),
});
