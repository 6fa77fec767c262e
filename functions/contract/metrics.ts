/**
 * Names shared by the function (which emits them) and the stack (whose alarms and dashboard
 * read them), so an alarm can never watch a metric that is not emitted.
 */
export const SERVICE_NAME = 'openim-friend-events';
export const METRICS_NAMESPACE = 'OpenImFriendEvents';

export const METRIC = {
  accepted: 'CallbackAccepted',
  rejected: 'CallbackRejected',
  published: 'EventsPublished',
  /** Put in the retry queue by the callback function (EventBridge failed, or the circuit was open). */
  parked: 'EventsParked',
  lost: 'EventsLost',
  publishLatency: 'PublishLatency',
  /** The callback function's circuit breaker opened: EventBridge kept failing. */
  circuitOpened: 'CircuitOpened',
  circuitClosed: 'CircuitClosed',
  /** Published from the retry queue by the drainer. */
  redriven: 'EventsRedriven',
  /** Drainer attempts that failed; the message comes back after a backoff. */
  redriveFailed: 'RedriveFailures',
  /**
   * Parked events the drainer found can never be published (unreadable, invalid, or refused by a
   * permanent error of their own): sent straight to the final dead-letter queue.
   */
  unpublishable: 'EventsUnpublishable',
} as const;

/** The only per-metric dimension: rejections by OpenIM errCode (a small, fixed set). */
export const ERR_CODE_DIMENSION = 'errCode';

/** What the reconciler's functions emit (same namespace and `service` dimension). */
export const RECONCILER_METRIC = {
  /** Users whose lists a sweep compared with the graph. */
  usersChecked: 'ReconcileUsersChecked',
  /** Differences found, by `kind` (`DIFFERENCE_KIND_DIMENSION`). */
  differences: 'ReconcileDifferences',
  repairsPublished: 'ReconcileRepairsPublished',
  /** Users whose lists OpenIM did not answer consistently (moved while read, short of `total`): left for the next sweep. */
  usersUnreadable: 'ReconcileUsersUnreadable',
  /** Repairs EventBridge refused for good (too large, malformed): set aside in the final dead-letter queue. */
  repairsSetAside: 'RepairsSetAside',
  /** OpenIM reads that failed (the part is retried by the engine). */
  openImErrors: 'ReconcileOpenImErrors',
  /** Once per finished sweep: all its differences (the drift alarm), and how long it took. */
  sweepDifferences: 'SweepDifferences',
  sweepDuration: 'SweepDuration',
} as const;

export const DIFFERENCE_KIND_DIMENSION = 'kind';
