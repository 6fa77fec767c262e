/**
 * The published CDK package (`@openim-friend-events/cdk`, `npm run pack`): the `FriendEvents`
 * construct, the stack that deploys it, and the reference subscriber, for another CDK app.
 */
export type { SubscriberAccess } from './bus-access';
export { FriendEvents } from './friend-events';
export type { FriendEventsProps, SubscribeOptions } from './friend-events-props';
export { FriendGraphSubscriber, type FriendGraphSubscriberProps } from './friend-graph-subscriber';
export { FriendEventsStack, type FriendEventsStackProps } from './stack';
