import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FriendEventsStack } from './stack';
import {
  alarmTopicArnFromContext,
  checkContextKeys,
  contextFlag,
  friendEventsPropsFromContext,
  reconcilerContextFrom,
  stackNameFromContext,
} from './stack-context';

/** `npx cdk synth` / `npx cdk deploy`: settings come from `-c key=value` (see the README). */
const app = new App();
checkContextKeys(app);
new FriendEventsStack(app, stackNameFromContext(app), {
  description: 'OpenIM friend callbacks to Amazon EventBridge (openim-friend-events)',
  friendEvents: friendEventsPropsFromContext(app),
  exampleSubscriber: contextFlag(app, 'exampleSubscriber') ?? false,
  alarmTopicArn: alarmTopicArnFromContext(app),
  reconciler: reconcilerContextFrom(app),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
