/**
 * The published CDK package (`@openim-friend-events/cdk`, `npm run pack`): the `FriendEvents`
 * construct, the stack that deploys it, the reference subscriber and the reconciler, for another
 * CDK app.
 */
export type { SubscriberAccess } from './bus-access';
export { FriendEvents } from './friend-events';
export type { FriendEventsProps, SubscribeOptions } from './friend-events-props';
export { FriendGraphSubscriber, type FriendGraphSubscriberProps } from './friend-graph-subscriber';
export { Reconciler, type ReconcilerProps } from './reconciler';
export type { ReconcilerOptions } from './reconciler-settings';
export { FriendEventsStack, type FriendEventsStackProps } from './stack';
