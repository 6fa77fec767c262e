import { applyListFault, parseFaultRequest, type StandInFaults } from './faults';
import type { OpenImModel } from './model';
import type { Webhooks } from './webhooks';

/**
 * The stand-in's own endpoints under `/_standin/` (plain JSON, no token), for what OpenIM has no
 * route for: a user vanishing, faults, webhooks lost on the way.
 *
 * - `POST /_standin/delete_user` `{"userID":"u1"}`
 * - `POST /_standin/faults` `{"route":"/friend/get_black_list","errCode":1501,"times":1}` (or
 *   `"status":500`, or `"delayMs":3000`); `DELETE /_standin/faults` clears them
 * - `POST /_standin/list_faults` `{"ownerUserID":"u1","capRows":100}` (pages of at most 100 rows),
 *   `{"ownerUserID":"u1","nullPages":1}` (the next page answers `null` rows with its total), or
 *   `{"ownerUserID":"u1","deleteFriendUserID":"u9","afterPage":1}` (a delete between two pages)
 * - `POST /_standin/drop_webhooks` `{"callbackCommand":"callbackAfterDeleteFriendCommand","count":1}` (`"*"`: any)
 */
export const CONTROL_PREFIX = '/_standin/';

export const control = (
  standIn: { model: OpenImModel; faults: StandInFaults; webhooks: Webhooks | undefined },
  method: string,
  path: string,
  raw: string,
): [status: number, body: unknown] => {
  const action = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
  if (action === 'DELETE faults') {
    standIn.faults.clear();
    return [200, { faults: 'cleared' }];
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return [400, { message: 'the body is not JSON' }];
  }
  switch (action) {
    case 'POST delete_user': {
      if (typeof json?.userID !== 'string') return [400, { message: 'userID must be a string' }];
      return [200, { deleted: standIn.model.deleteUser(json.userID) }];
    }
    case 'POST faults': {
      const request = parseFaultRequest(json);
      if (typeof request === 'string') return [400, { message: request }];
      standIn.faults.next(request.route, request.fault, request.times);
      return [200, request];
    }
    case 'POST list_faults': {
      const refused = applyListFault(standIn.faults.lists, json);
      return refused === undefined ? [200, json] : [400, { message: refused }];
    }
    case 'POST drop_webhooks': {
      if (!standIn.webhooks) return [409, { message: 'no callbackUrl is configured: nothing is fired' }];
      const command = json?.callbackCommand ?? '*';
      const count = json?.count ?? 1;
      if (typeof command !== 'string') return [400, { message: 'callbackCommand must be a string (or "*")' }];
      if (!Number.isSafeInteger(count) || (count as number) < 1) return [400, { message: 'count must be at least 1' }];
      standIn.webhooks.drop(command, count as number);
      return [200, { callbackCommand: command, count }];
    }
    default:
      return [404, { message: `unknown control ${action}; see infra/local/openim-api/control.ts` }];
  }
};
