import {
  DEFAULT_EVENT_SOURCE,
  FRIEND_DETAIL_TYPES,
  type FriendDetailType,
  SNAPSHOT_DETAIL_TYPES,
  type SnapshotDetailType,
} from './events';

/** An EventBridge event pattern as JSON: what the console, CloudFormation, the AWS CLI and PutRule take. */
export interface FriendEventPattern {
  source: string[];
  'detail-type': (FriendDetailType | SnapshotDetailType)[];
  detail?: {
    /** Leaves out test traffic (events whose detail has `synthetic`); absent with `includeSynthetic`. */
    synthetic?: [{ exists: false }];
    /** With `snapshotsFor`: a snapshot event only when addressed to that name (friend events have no `snapshot`). */
    snapshot?: { for: [string, { exists: false }] };
  };
}

export interface FriendEventPatternOptions {
  /** @default every detail-type */
  detailTypes?: readonly FriendDetailType[];
  /** The stack's `eventSource`. @default 'openim' */
  source?: string;
  /** Also match test traffic (`npm run send`, whose events carry `synthetic: true`). @default false */
  includeSynthetic?: boolean;
  /**
   * This subscriber's name: also match the snapshot events addressed to it (`npm run snapshot --
   * --for <name>`), and no one else's. @default no snapshot events at all
   */
  snapshotsFor?: string;
}

/** What a subscriber's name may be: what `--for` takes, and what a snapshot's `snapshot.for` holds. */
export const SUBSCRIBER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws, naming the setting, unless `name` is a subscriber name. */
export const checkSubscriberName = (name: string, setting: string): string => {
  if (!SUBSCRIBER_NAME.test(name)) {
    throw new Error(
      `${setting} must be a subscriber name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(name)})`,
    );
  }
  return name;
};

/**
 * The rule pattern that matches these friend events, e.g. `JSON.stringify(friendEventPattern())`
 * for PutRule. Real events only, unless `includeSynthetic`: a smoke test never reaches a subscriber
 * that did not ask for it. No snapshot event, unless `snapshotsFor` names this subscriber: then
 * the snapshot detail-types join the list, and `detail.snapshot.for` must be that name or absent
 * (absent on every friend event), so one pattern (no `$or`) takes both and another subscriber's
 * snapshot never matches.
 */
export const friendEventPattern = (options: FriendEventPatternOptions = {}): FriendEventPattern => {
  const snapshotsFor =
    options.snapshotsFor === undefined ? undefined : checkSubscriberName(options.snapshotsFor, 'snapshotsFor');
  const detail: NonNullable<FriendEventPattern['detail']> = {
    ...(options.includeSynthetic ? {} : { synthetic: [{ exists: false }] }),
    ...(snapshotsFor === undefined ? {} : { snapshot: { for: [snapshotsFor, { exists: false }] } }),
  };
  return {
    source: [options.source ?? DEFAULT_EVENT_SOURCE],
    'detail-type': [
      ...(options.detailTypes ?? FRIEND_DETAIL_TYPES),
      ...(snapshotsFor === undefined ? [] : SNAPSHOT_DETAIL_TYPES),
    ],
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
};
