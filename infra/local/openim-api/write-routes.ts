import { errArgs, errNoPermission } from './api-error';
import { check, decodeRequest } from './request-decoder';
import { checkAccess, checkAdmin, type Route } from './route';

/**
 * OpenIM's own write routes, with their real semantics (`rpc/relation/friend.go`, `black.go`,
 * `rpc/user`), so that a change can be made with curl and its drift watched being repaired.
 * Each fires the after-callback OpenIM fires (none for add_black and update_friends).
 */
const MAX_IDS = 1_000; // constant.ParamMaxLength

export const WRITE_ROUTES: Record<string, Route> = {
  '/user/user_register': {
    needsToken: true, // v3.7 lists it among its token-free routes and checks the secret instead
    handle: (context, body) => {
      const { secret, users } = decodeRequest('user.UserRegisterReq', { secret: 'string', users: 'users' }, body);
      if (users.length === 0) throw errArgs('users is empty');
      if (context.capabilities.registerWithSecret) {
        if (secret !== context.secret) throw errNoPermission('secret invalid');
      } else checkAdmin(context);
      context.model.register(users);
      return undefined;
    },
  },

  '/friend/add_friend': {
    needsToken: true,
    handle: (context, body) => {
      const request = decodeRequest(
        'relation.ApplyToAddFriendReq',
        { fromUserID: 'string', toUserID: 'string', reqMsg: 'string', ex: 'string' },
        body,
      );
      check(request.toUserID === '', 'toUserID is empty');
      check(request.fromUserID === '', 'fromUserID is empty');
      checkAccess(context, request.fromUserID);
      context.model.applyToAdd(request.fromUserID, request.toUserID);
      context.fire({
        callbackCommand: 'callbackAfterAddFriendCommand',
        fromUserID: request.fromUserID,
        toUserID: request.toUserID,
        reqMsg: request.reqMsg,
      });
      return undefined;
    },
  },

  '/friend/add_friend_response': {
    needsToken: true,
    handle: (context, body) => {
      const request = decodeRequest(
        'relation.RespondFriendApplyReq',
        { fromUserID: 'string', toUserID: 'string', handleResult: 'int32', handleMsg: 'string' },
        body,
      );
      check(request.toUserID === '', 'toUserID is empty');
      check(request.fromUserID === '', 'fromUserID is empty');
      checkAccess(context, request.toUserID);
      context.model.respond(request.fromUserID, request.toUserID, request.handleResult);
      if (request.handleResult === 1 && context.capabilities.sendsAgreeAndRemoveBlackCallbacks) {
        context.fire({
          callbackCommand: 'callbackAfterAddFriendAgreeCommand',
          fromUserID: request.fromUserID,
          blackUserID: request.toUserID, // sic: OpenIM's JSON name for the user who accepted
          HandleResult: request.handleResult,
          HandleMsg: request.handleMsg,
        });
      }
      return undefined;
    },
  },

  '/friend/import_friend': {
    needsToken: true,
    handle: (context, body) => {
      const { ownerUserID, friendUserIDs } = decodeRequest(
        'relation.ImportFriendReq',
        { ownerUserID: 'string', friendUserIDs: 'strings' },
        body,
      );
      check(ownerUserID === '', 'ownerUserID is empty');
      check(friendUserIDs === null, 'friendUserIDS is empty');
      check((friendUserIDs?.length ?? 0) > MAX_IDS, 'too many FriendUserIDs, need to be less than 1000');
      checkAdmin(context);
      const ids = friendUserIDs ?? [];
      context.model.importFriends(ownerUserID, ids, context.operator?.userID ?? '');
      context.fire({ callbackCommand: 'callbackAfterImportFriendsCommand', ownerUserID, friendUserIDs: ids });
      return undefined;
    },
  },

  '/friend/delete_friend': {
    needsToken: true,
    handle: (context, body) => {
      const { ownerUserID, friendUserID } = decodeRequest(
        'relation.DeleteFriendReq',
        { ownerUserID: 'string', friendUserID: 'string' },
        body,
      );
      check(ownerUserID === '', 'userID1 is empty');
      check(friendUserID === '', 'userID2 is empty');
      checkAccess(context, ownerUserID);
      context.model.deleteFriend(ownerUserID, friendUserID);
      context.fire({ callbackCommand: 'callbackAfterDeleteFriendCommand', ownerUserID, friendUserID });
      return undefined;
    },
  },

  '/friend/set_friend_remark': {
    needsToken: true,
    handle: (context, body) => {
      const { ownerUserID, friendUserID, remark } = decodeRequest(
        'relation.SetFriendRemarkReq',
        { ownerUserID: 'string', friendUserID: 'string', remark: 'string' },
        body,
      );
      check(ownerUserID === '', 'ownerUserID is empty');
      check(friendUserID === '', 'fromUserID is empty');
      checkAccess(context, ownerUserID);
      context.model.setRemark(ownerUserID, friendUserID, remark);
      context.fire({ callbackCommand: 'callbackAfterSetFriendRemarkCommand', ownerUserID, friendUserID, remark });
      return undefined;
    },
  },

  '/friend/update_friends': {
    needsToken: true,
    handle: (context, body) => {
      const request = decodeRequest(
        'relation.UpdateFriendsReq',
        {
          ownerUserID: 'string',
          friendUserIDs: 'strings',
          isPinned: 'boolValue',
          remark: 'stringValue',
          ex: 'stringValue',
        },
        body,
      );
      check(request.ownerUserID === '', 'ownerUserID is empty');
      check(request.friendUserIDs === null, 'friendUserIDs is empty');
      check((request.friendUserIDs?.length ?? 0) > MAX_IDS, 'too many FriendUserIDs, need to be less than 1000');
      checkAccess(context, request.ownerUserID);
      const { isPinned, remark, ex } = request;
      context.model.updateFriends(request.ownerUserID, request.friendUserIDs ?? [], { isPinned, remark, ex });
      return undefined; // no after-callback: a pin, remark or ex change here reaches nobody
    },
  },

  '/friend/add_black': {
    needsToken: true,
    handle: (context, body) => {
      const { ownerUserID, blackUserID, ex } = decodeRequest(
        'relation.AddBlackReq',
        { ownerUserID: 'string', blackUserID: 'string', ex: 'string' },
        body,
      );
      check(ownerUserID === '', 'ownerUserID is empty');
      check(blackUserID === '', 'blackUserID is empty');
      checkAccess(context, ownerUserID);
      context.model.blackLists.add(ownerUserID, blackUserID, ex, context.operator?.userID ?? '');
      return undefined; // OpenIM has only a before-hook for this
    },
  },

  '/friend/remove_black': {
    needsToken: true,
    handle: (context, body) => {
      const { ownerUserID, blackUserID } = decodeRequest(
        'relation.RemoveBlackReq',
        { ownerUserID: 'string', blackUserID: 'string' },
        body,
      );
      check(ownerUserID === '', 'ownerUserID is empty');
      check(blackUserID === '', 'blackUserID is empty');
      checkAccess(context, ownerUserID);
      context.model.blackLists.remove(ownerUserID, blackUserID);
      if (context.capabilities.sendsAgreeAndRemoveBlackCallbacks) {
        context.fire({ callbackCommand: 'callbackAfterRemoveBlackCommand', ownerUserID, blackUserID });
      }
      return undefined;
    },
  },
};
