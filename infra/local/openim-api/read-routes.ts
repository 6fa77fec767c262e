import { errArgs } from './api-error';
import { page } from './page';
import { check, decodeRequest } from './request-decoder';
import { blackInfo, checkAccess, friendInfo, listOrNull, type Route } from './route';

/** The reads a reconciler makes (docs/openim-admin-api.md), with OpenIM's checks and reply shapes. */
export const READ_ROUTES: Record<string, Route> = {
  '/user/get_all_users_uid': {
    needsToken: true,
    handle: ({ model }, body) => {
      const { pagination } = decodeRequest('user.GetAllUserIDReq', { pagination: 'pagination' }, body);
      check(pagination === null, 'pagination is empty');
      const { pageNumber, showNumber } = pagination ?? { pageNumber: 0, showNumber: 0 };
      check(pageNumber < 1, 'pageNumber is invalid');
      const { total, userIDs } = model.userPage(pageNumber, showNumber);
      return { total, userIDs: listOrNull(userIDs) };
    },
  },

  '/friend/get_friend_id': {
    needsToken: true,
    handle: (context, body) => {
      const { userID } = decodeRequest('relation.GetFriendIDsReq', { userID: 'string' }, body);
      check(userID === '', 'userID is empty');
      checkAccess(context, userID);
      return { friendIDs: listOrNull(context.model.friendIDs(userID)) };
    },
  },

  '/friend/get_full_friend_user_ids': {
    needsToken: true,
    friendSync: true,
    handle: (context, body) => {
      const { idHash, userID } = decodeRequest(
        'relation.GetFullFriendUserIDsReq',
        { idHash: 'uint64', userID: 'string' },
        body,
      );
      check(userID === '', 'userID is empty');
      checkAccess(context, userID);
      const { model, capabilities } = context;
      const doc = model.versions.doc(userID);
      const hash = model.friendIDsHash(userID);
      const equal = idHash === hash;
      return {
        version: capabilities.fullIDsVersionIsHash ? hash : doc.version,
        versionID: doc.id,
        equal,
        userIDs: equal ? null : listOrNull(model.friendIDs(userID)),
      };
    },
  },

  '/friend/get_incremental_friends': {
    needsToken: true,
    friendSync: true,
    handle: (context, body) => {
      const { userID, versionID, version } = decodeRequest(
        'relation.GetIncrementalFriendsReq',
        { userID: 'string', versionID: 'string', version: 'uint64' },
        body,
      );
      checkAccess(context, userID);
      const { model } = context;
      const answer = model.versions.since(userID, versionID, Number(version));
      const infos = (ids: string[]) =>
        ids.length === 0 ? [] : model.findFriends(userID, ids).map((row) => friendInfo(model, userID, row));
      return {
        version: answer.version,
        versionID: answer.versionID,
        full: answer.full,
        delete: listOrNull(answer.deleteIDs),
        insert: listOrNull(infos(answer.insertIDs)),
        update: listOrNull(infos(answer.updateIDs)),
        sortVersion: answer.sortVersion,
      };
    },
  },

  '/friend/get_friend_list': {
    needsToken: true,
    handle: (context, body) => {
      const { pagination, userID } = decodeRequest(
        'relation.GetPaginationFriendsReq',
        { pagination: 'pagination', userID: 'string' },
        body,
      );
      check(pagination === null, 'pagination is empty');
      check((pagination?.pageNumber ?? 0) < 1, 'pageNumber is invalid');
      check(userID === '', 'userID is empty');
      checkAccess(context, userID);
      const { model, listFaults } = context;
      const rows = model.friendRows(userID);
      const pageNumber = pagination?.pageNumber ?? 0;
      const showNumber = listFaults.servedSize(userID, pagination?.showNumber ?? 0);
      const served = listFaults.takeNullPage(userID) ? [] : page(rows, pageNumber, showNumber);
      const reply = {
        friendsInfo: listOrNull(served.map((row) => friendInfo(model, userID, row))),
        total: rows.length,
      };
      for (const friend of listFaults.takeDeletes(userID, pageNumber)) {
        if (!model.isFriend(userID, friend)) continue;
        model.deleteFriend(userID, friend);
        context.fire({
          callbackCommand: 'callbackAfterDeleteFriendCommand',
          ownerUserID: userID,
          friendUserID: friend,
        });
      }
      return reply;
    },
  },

  '/friend/get_designated_friends': {
    needsToken: true,
    handle: (context, body) => {
      const { ownerUserID, friendUserIDs } = decodeRequest(
        'relation.GetDesignatedFriendsReq',
        { ownerUserID: 'string', friendUserIDs: 'strings' },
        body,
      );
      check(ownerUserID === '', 'ownerUserID is empty');
      check(friendUserIDs === null, 'friendUserIDS is empty');
      checkAccess(context, ownerUserID);
      const ids = friendUserIDs ?? [];
      if (new Set(ids).size !== ids.length) throw errArgs('friend userID repeated');
      const { model } = context;
      const rows = ids.length === 0 ? [] : model.findFriends(ownerUserID, ids);
      return { friendsInfo: listOrNull(rows.map((row) => friendInfo(model, ownerUserID, row))) };
    },
  },

  '/friend/get_black_list': {
    needsToken: true,
    handle: (context, body) => {
      const { userID, pagination } = decodeRequest(
        'relation.GetPaginationBlacksReq',
        { userID: 'string', pagination: 'pagination' },
        body,
      );
      check(userID === '', 'userID is empty');
      check(pagination === null, 'pagination is empty');
      check((pagination?.pageNumber ?? 0) < 1, 'pageNumber is invalid');
      checkAccess(context, userID);
      const { listFaults } = context;
      const pageNumber = pagination?.pageNumber ?? 0;
      const showNumber = listFaults.servedSize(userID, pagination?.showNumber ?? 0);
      const { total, blacks } = context.model.blackLists.page(userID, pageNumber, showNumber);
      const served = listFaults.takeNullPage(userID) ? [] : blacks;
      return { blacks: listOrNull(served.map((black) => blackInfo(context.model, userID, black))), total };
    },
  },

  '/friend/get_specified_blacks': {
    needsToken: true,
    specifiedBlacks: true,
    handle: (context, body) => {
      const { ownerUserID, userIDList } = decodeRequest(
        'relation.GetSpecifiedBlacksReq',
        { ownerUserID: 'string', userIDList: 'strings' },
        body,
      );
      checkAccess(context, ownerUserID);
      const ids = userIDList ?? [];
      check(ids.length === 0, 'userIDList is empty');
      if (new Set(ids).size !== ids.length) throw errArgs('userIDList repeated');
      const { model } = context;
      const blacks = ids.flatMap((id) => model.blackLists.entry(ownerUserID, id) ?? []);
      return { blacks: listOrNull(blacks.map((black) => blackInfo(model, ownerUserID, black))), total: blacks.length };
    },
  },
};
