/**
 * One short line about an event, for the local console: who did what, never the whole detail (an
 * import of 20,000 IDs is a count, not 20,000 lines; messages and remarks are cut).
 */

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));

const quoted = (value: unknown, max = 40): string => {
  const shown = text(value ?? '');
  return JSON.stringify(shown.length > max ? `${shown.slice(0, max)}...` : shown);
};

const friendsOf = (ids: unknown): string => {
  const list = Array.isArray(ids) ? ids.map(text) : [];
  const count = `${list.length.toLocaleString('en-US')} friend${list.length === 1 ? '' : 's'}`;
  return list.length > 0 && list.length <= 3 ? `${count} (${list.join(', ')})` : count;
};

/** `detail-type` and the detail's gist: `AfterAddFriend a -> b (request)`. */
export const summarizeEvent = (detailType: string, detail: Record<string, unknown>): string => {
  const d = detail;
  switch (detailType) {
    case 'AfterAddFriend':
      return `${detailType} ${text(d.fromUserID)} -> ${text(d.toUserID)} (request)`;
    case 'AfterAddFriendAgree':
      return `${detailType} ${text(d.fromUserID)} <-> ${text(d.toUserID)} (friends now)`;
    case 'AfterImportFriends': {
      const part = Number(d.parts) > 1 ? `, part ${text(d.part)} of ${text(d.parts)}` : '';
      return `${detailType} ${text(d.ownerUserID)} + ${friendsOf(d.friendUserIDs)}${part}`;
    }
    case 'AfterDeleteFriend':
      return `${detailType} ${text(d.ownerUserID)} removed ${text(d.friendUserID)}`;
    case 'AfterSetFriendRemark':
      return `${detailType} ${text(d.ownerUserID)} -> ${text(d.friendUserID)} remark ${quoted(d.remark)}`;
    case 'AfterRemoveBlack':
      return `${detailType} ${text(d.ownerUserID)} unblocked ${text(d.blackUserID)}`;
    case 'FriendshipReconciled':
      return `${detailType} ${text(d.ownerUserID)} -> ${text(d.friendUserID)} ${d.present ? `present, remark ${quoted(d.remark)}` : 'absent'}`;
    case 'BlacklistReconciled':
      return `${detailType} ${text(d.ownerUserID)} ${d.present ? 'blocks' : 'does not block'} ${text(d.blackUserID)}`;
    default:
      return detailType;
  }
};

/** The summary with the operationID and the synthetic mark, as every console line about an event shows it. */
export const eventLine = (detailType: string, detail: Record<string, unknown>): string => {
  const marks = [
    typeof detail.operationID === 'string' && detail.operationID !== '' ? `operationID ${detail.operationID}` : '',
    detail.synthetic === true ? 'synthetic' : '',
  ].filter(Boolean);
  return `${summarizeEvent(detailType, detail)}${marks.length > 0 ? ` [${marks.join(', ')}]` : ''}`;
};
