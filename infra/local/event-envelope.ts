import type { FriendEvent } from '../../functions/contract/events';
import type { StoredEvent } from './eventbridge-bus';

/** The account and region the loopback endpoint answers as (the ARNs it makes carry them). */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/**
 * What EventBridge hands a target for an event the local bus accepted: the envelope a
 * subscriber's Lambda receives (and an SQS target's message body), with the entry's `resources`.
 */
export const envelopeOf = (stored: StoredEvent): FriendEvent =>
  ({
    version: '0',
    id: stored.eventId,
    'detail-type': stored.detailType,
    source: stored.source,
    account: LOCAL_ACCOUNT,
    time: stored.time,
    region: LOCAL_REGION,
    resources: stored.resources,
    detail: stored.detail,
  }) as unknown as FriendEvent;
