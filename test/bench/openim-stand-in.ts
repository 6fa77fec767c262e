import { startOpenImStandIn } from '../../infra/local/openim-api/stand-in';

/**
 * Child process of the reconciler benchmark: the OpenIM API stand-in with generated data (USERS,
 * EDGES directed friend rows, BLACKS), on a core of its own. Prints `url <url>` once it listens
 * and stops when its parent closes stdin.
 */
const { USERS = '100000', EDGES = '1000000', BLACKS = '10000' } = process.env;
const standIn = await startOpenImStandIn({
  generate: { users: Number(USERS), directedEdges: Number(EDGES), blacks: Number(BLACKS) },
  // The reconciler's own admin ID; imAdmin is the bench's, for the drift it makes.
  adminUserIDs: ['imAdmin', 'friendEventsReconciler'],
});
console.log(`url ${standIn.url}`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await standIn.close();
  process.exit(0);
});
