import type { FriendEvent } from '../../../functions/contract/events';
import { queuePolicy } from '../../../infra/cli/bus-watch';
import { callbackUrlProblem, judgeEvent, smokeBody } from '../../../infra/cli/smoke-test';
import { policyAllowsSend } from '../../../infra/local/sqs-policy';

const users = { user: 'synthetic:1', otherUser: 'synthetic:2' };

describe('smokeBody', () => {
  it.each([
    ['callbackAfterAddFriendCommand', { fromUserID: 'synthetic:1', toUserID: 'synthetic:2' }],
    ['callbackAfterAddFriendAgreeCommand', { fromUserID: 'synthetic:1', blackUserID: 'synthetic:2' }],
    ['callbackAfterImportFriendsCommand', { ownerUserID: 'synthetic:1', friendUserIDs: ['synthetic:2'] }],
    ['callbackAfterDeleteFriendCommand', { ownerUserID: 'synthetic:1', friendUserID: 'synthetic:2' }],
    ['callbackAfterSetFriendRemarkCommand', { ownerUserID: 'synthetic:1', friendUserID: 'synthetic:2' }],
    ['callbackAfterRemoveBlackCommand', { ownerUserID: 'synthetic:1', blackUserID: 'synthetic:2' }],
  ] as const)('%s names the given users in OpenIM field order', (command, ids) => {
    expect(smokeBody('v3.7+', command, users)).toMatchObject({ callbackCommand: command, ...ids });
  });
});

describe('callbackUrlProblem', () => {
  it.each([
    ['https://a.execute-api.eu-west-1.amazonaws.com/openim/tok', undefined],
    ['http://127.0.0.1:8787/openim/tok/', /must not end with a slash/],
    ['http://127.0.0.1:8787/', /must not end with a slash/],
    ['http://127.0.0.1:8787/openim/tok?a=1', /must not have a query string/],
    ['http://127.0.0.1:8787/openim/tok?', /must not have a query string/],
  ])('%s', (url, problem) => {
    const found = callbackUrlProblem(url);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});

describe('judgeEvent', () => {
  const event = (detail: object) => ({ 'detail-type': 'AfterAddFriend', detail }) as unknown as FriendEvent;

  it('passes an event marked synthetic, and fails one that subscribers would take as real', () => {
    expect(judgeEvent(event({ synthetic: true }), 'bus b', 'none')).toEqual({
      pass: true,
      line: 'PASS: AfterAddFriend event reached bus b, marked synthetic (subscribers skip it unless asked)',
    });
    expect(judgeEvent(event({}), 'bus b', 'none').line).toMatch(
      /^FAIL: .*without synthetic: true, so subscribers took it as real/,
    );
    expect(judgeEvent(undefined, 'bus b', 'nothing came')).toEqual({ pass: false, line: 'FAIL: nothing came' });
  });
});

describe('the temporary queue policy', () => {
  const queueArn = 'arn:aws:sqs:eu-west-1:111111111111:openim-friend-events-smoke-1';
  const ruleArn = 'arn:aws:events:eu-west-1:111111111111:rule/bus/openim-friend-events-smoke-1';
  const request = { principalService: 'events.amazonaws.com', queueArn, sourceArn: ruleArn };

  it('lets EventBridge send for that rule only', () => {
    expect(policyAllowsSend(queuePolicy(queueArn, ruleArn), request)).toBe(true);
    expect(policyAllowsSend(queuePolicy(queueArn, ruleArn), { ...request, sourceArn: `${ruleArn}-other` })).toBe(false);
    expect(
      policyAllowsSend(queuePolicy(queueArn, ruleArn), { ...request, principalService: 'sns.amazonaws.com' }),
    ).toBe(false);
    expect(policyAllowsSend(undefined, request)).toBe(false);
  });
});
