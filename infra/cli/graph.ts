import { cliArgs, EXIT, EXIT_MEANING, exitWithUsageError, flag, string } from '../cli-kit/cli-args';
import { runMain } from '../cli-kit/cli-errors';
import { requireTargetOutput, resolveTarget, TARGET_OPTIONS } from './target-stack';

/** `npm run graph -- --local --user <id> [--json]`: what the friend graph holds for one user. */
const spec = {
  usage: 'npm run graph -- (--local | --stack <name>) --user <id> [--json] [--region <region>]',
  description:
    "Prints what the reference subscriber's friend graph holds for a user: their friends (with the remark they show for each) and their black list.",
  options: {
    ...TARGET_OPTIONS,
    user: string('the user whose lists to print', { placeholder: 'id', required: true }),
    json: flag('print JSON: {"userID", "friends": [{"userID", "remark"}], "blacklist": [...]}'),
  },
  exitCodes: {
    0: 'printed',
    2: EXIT_MEANING.usage,
    3: `${EXIT_MEANING.aws}; with --local: nothing answers (is npm start running?)`,
  },
};
const args = await cliArgs(spec);
if (args.local === Boolean(args.stack)) await exitWithUsageError(spec, 'give either --local or --stack <name>');

await runMain(async () => {
  // Loaded here: --help and a usage error answer without the AWS SDK.
  const [{ DynamoDBClient }, { FriendGraphRows }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../../functions/adapters/aws/friend-graph-rows'),
  ]);
  const target = await resolveTarget(args);
  const tableName = requireTargetOutput(
    target,
    'FriendGraphTableName',
    'deploy it with -c exampleSubscriber=true (or -c openImApiUrl=..., which deploys the graph too)',
  );
  const view = await new FriendGraphRows(new DynamoDBClient({}), tableName).ownerView(args.user);
  const friends = [...view.friends].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const blacklist = [...view.blocked].sort();
  if (args.json) {
    const json = { userID: args.user, friends: friends.map(([userID, remark]) => ({ userID, remark })), blacklist };
    console.log(JSON.stringify(json));
    return EXIT.ok;
  }
  console.log(`${args.user}: ${friends.length} friend(s), ${blacklist.length} on the black list`);
  for (const [userID, remark] of friends)
    console.log(`  friend  ${userID}${remark ? `  remark ${JSON.stringify(remark)}` : ''}`);
  for (const userID of blacklist) console.log(`  blocks  ${userID}`);
  return EXIT.ok;
});
