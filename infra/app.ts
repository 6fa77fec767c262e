import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FriendEventsStack } from './stack';
import { stackPropsFromContext } from './stack-context';

/** `npx cdk synth` / `npx cdk deploy`: settings come from `-c key=value` (see the README). */
const app = new App();
new FriendEventsStack(app, app.node.tryGetContext('stackName') ?? 'OpenImFriendEvents', {
  description: 'OpenIM friend callbacks to Amazon EventBridge (openim-friend-events)',
  friendEvents: stackPropsFromContext(app),
  exampleSubscriber:
    app.node.tryGetContext('exampleSubscriber') === true || app.node.tryGetContext('exampleSubscriber') === 'true',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
