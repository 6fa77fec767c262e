import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FriendEventsStack } from './construct/stack';
import { settingErrorLine, stackSettingsFromContext } from './construct/stack-context';

/** `npx cdk synth` / `npx cdk deploy`: settings come from `-c key=value` (see the README). */
const app = new App();
try {
  const { stackName, props } = stackSettingsFromContext(app);
  new FriendEventsStack(app, stackName, props);
} catch (error) {
  const line = settingErrorLine(error);
  if (line === undefined) throw error; // a bug: keep its stack trace
  console.error(`error: ${line}`);
  process.exit(2);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
