import { createSourceCheck } from '../../../functions/callback/access';
import {
  bodyBytes,
  deliveryIdOf,
  isSynthetic,
  parseCallbackPath,
  readOperationID,
  receivedAt,
} from '../../../functions/callback/http';
import { loadCallbackConfig } from '../../../functions/handlers/wiring/environment';
import { SourceNotAllowedError } from '../../../functions/openim/reply';

describe('parseCallbackPath', () => {
  it.each([
    ['/openim/tok/callbackAfterAddFriendCommand', { token: 'tok', command: 'callbackAfterAddFriendCommand' }],
    ['/openim/tok//callbackAfterAddFriendCommand', { token: 'tok', command: 'callbackAfterAddFriendCommand' }],
    ['//openim//tok/callbackAfterAddFriendCommand/', { token: 'tok', command: 'callbackAfterAddFriendCommand' }],
    ['/openim/tok', { token: 'tok' }],
    ['/openim/tok/', { token: 'tok' }],
    ['/openim', {}],
    ['/other/tok/callbackAfterAddFriendCommand', {}],
    ['/', {}],
    ['/openim/tok/a/b', { token: 'tok', command: 'a/b' }],
  ])('reads %s as %o', (path, expected) => {
    expect(parseCallbackPath(path, 'openim')).toEqual(expected);
  });

  it('supports a prefix of several segments', () => {
    expect(parseCallbackPath('/hooks/openim/tok/c', 'hooks/openim')).toEqual({ token: 'tok', command: 'c' });
  });

  it('supports an empty prefix', () => {
    expect(parseCallbackPath('/tok/c', '')).toEqual({ token: 'tok', command: 'c' });
  });
});

describe('readOperationID', () => {
  it.each([{ operationid: 'abc' }, { operationID: 'abc' }, { Operationid: 'abc' }, { OPERATIONID: 'abc' }])(
    'reads the header whatever its case: %o',
    (headers) => {
      expect(readOperationID(headers)).toEqual({ value: 'abc', altered: false });
    },
  );

  it('gives "" when the header is absent (v3.0-3.6 omit an empty one)', () => {
    expect(readOperationID({ 'content-type': 'application/json' })).toEqual({ value: '', altered: false });
    expect(readOperationID(undefined)).toEqual({ value: '', altered: false });
  });

  it('keeps 256 bytes, and cuts a longer operationID to 256 bytes on a character boundary instead of refusing', () => {
    expect(readOperationID({ operationid: 'x'.repeat(256) })).toEqual({ value: 'x'.repeat(256), altered: false });
    expect(readOperationID({ operationid: `${'x'.repeat(255)}é` })).toEqual({ value: 'x'.repeat(255), altered: true });
    expect(readOperationID({ operationid: '用'.repeat(100) })).toEqual({ value: '用'.repeat(85), altered: true });
  });

  it.each([
    ['a C0 control', 'op\u0001id', 'op\\u0001id'],
    ['NUL and DEL', '\u0000\u007f', '\\u0000\\u007f'],
    ['a C1 control', 'a\u0085', 'a\\u0085'],
    ['U+FFFE and U+FFFF', '\ufffe\uffff', '\\ufffe\\uffff'],
    ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
    ['a backslash beside a control (doubled, so escapes are unambiguous)', '\\u0001\u0001', '\\\\u0001\\u0001'],
  ])('writes %s as an escape instead of refusing', (_label, header, safe) => {
    expect(readOperationID({ operationid: header })).toEqual({ value: safe, altered: true });
  });

  it('keeps a plain operationID with a backslash or an emoji as it is', () => {
    expect(readOperationID({ operationid: 'a\\b-😀' })).toEqual({ value: 'a\\b-😀', altered: false });
  });

  it('never cuts inside an escape', () => {
    const { value } = readOperationID({ operationid: `${'x'.repeat(253)}\u0001` });
    expect(value).toBe('x'.repeat(253));
  });
});

describe('isSynthetic', () => {
  it.each([
    [{ 'x-openim-friend-events-synthetic': '1' }, true],
    [{ 'X-OpenIM-Friend-Events-Synthetic': '1' }, true],
    [{ 'x-openim-friend-events-synthetic': 'true' }, false],
    [{ 'x-openim-friend-events-synthetic': '0' }, false],
    [{ operationid: 'op' }, false],
    [undefined, false],
  ])('reads %o as %s', (headers, expected) => {
    expect(isSynthetic(headers)).toBe(expected);
  });
});

describe('bodyBytes', () => {
  it('counts UTF-8 bytes of a text body', () => {
    expect(bodyBytes({ body: 'é', isBase64Encoded: false })).toBe(2);
  });

  it('counts the decoded bytes of a base64 body', () => {
    expect(bodyBytes({ body: Buffer.from('hello').toString('base64'), isBase64Encoded: true })).toBe(5);
  });

  it('counts a missing body as 0', () => {
    expect(bodyBytes({ body: undefined, isBase64Encoded: false })).toBe(0);
  });
});

describe('receivedAt', () => {
  it("uses API Gateway's request time", () => {
    expect(receivedAt({ requestContext: { timeEpoch: 1_764_000_000_000 } } as never).toISOString()).toBe(
      '2025-11-24T16:00:00.000Z',
    );
  });
});

describe('deliveryIdOf', () => {
  const lambda = { awsRequestId: 'lambda-request' };
  it("is API Gateway's request id, unique per HTTP request", () => {
    expect(deliveryIdOf({ requestContext: { requestId: 'Qx9mZj2hoAMEa0Q=' } } as never, lambda)).toBe(
      'Qx9mZj2hoAMEa0Q=',
    );
  });

  it('falls back to the Lambda request id when the event has none', () => {
    expect(deliveryIdOf({} as never, lambda)).toBe('lambda-request');
    expect(deliveryIdOf({ requestContext: { requestId: '' } } as never, lambda)).toBe('lambda-request');
  });
});

describe('createSourceCheck', () => {
  it('allows any source when no CIDR is configured', () => {
    expect(() => createSourceCheck([])('203.0.113.9')).not.toThrow();
  });

  it('allows IPv4 and IPv6 sources inside the CIDRs', () => {
    const check = createSourceCheck(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7']);
    expect(() => check('203.0.113.200')).not.toThrow();
    expect(() => check('2001:db8:1::5')).not.toThrow();
    expect(() => check('198.51.100.7')).not.toThrow();
  });

  it.each(['203.0.114.1', '2001:db9::1', '198.51.100.8', 'not-an-ip', undefined])(
    'refuses %p with 403 / 20006',
    (source) => {
      expect(() => createSourceCheck(['203.0.113.0/24', '2001:db8::/32', '198.51.100.7'])(source)).toThrow(
        SourceNotAllowedError,
      );
    },
  );

  it.each([
    ['::/0', '203.0.113.7'],
    ['::/0', '::ffff:203.0.113.7'],
    ['::/0', '::ffff:cb00:7107'],
    ['::/96 (IPv4-compatible, deprecated)', '203.0.113.7'],
    ['::ffff:0:0/80', '203.0.113.7'],
    ['64:ff9b::/96 (NAT64)', '203.0.113.7'],
  ])('never lets the IPv6 range %s admit the IPv4 client %s', (range, client) => {
    const cidr = range.split(' ')[0] ?? '';
    expect(() => createSourceCheck([cidr])(client)).toThrow(SourceNotAllowedError);
  });

  it('lets an IPv6 range admit IPv6 clients, and an IPv4 range admit IPv4 clients however they arrive', () => {
    expect(() => createSourceCheck(['::/0'])('2001:db8::1')).not.toThrow();
    const ipv4 = createSourceCheck(['203.0.113.0/24']);
    expect(() => ipv4('203.0.113.7')).not.toThrow();
    expect(() => ipv4('::ffff:203.0.113.7')).not.toThrow(); // an IPv4 client seen through a dual-stack socket
    expect(() => ipv4('2001:db8::1')).toThrow(SourceNotAllowedError);
    expect(() => createSourceCheck(['0.0.0.0/0'])('2001:db8::1')).toThrow(SourceNotAllowedError);
  });

  it.each(['::ffff:0:0/96', '::ffff:203.0.113.0/120', '::ffff:203.0.113.7'])(
    'refuses the IPv4-mapped range %s at load, asking for the IPv4 form',
    (cidr) => {
      expect(() => createSourceCheck([cidr])).toThrow(/allowedSourceCidrs: expected an IPv4 range written as IPv4/);
    },
  );

  it('fails at load on a CIDR that is not one', () => {
    expect(() => createSourceCheck(['10.0.0.0/8', 'example.com'])).toThrow(
      /allowedSourceCidrs: expected IPv4 or IPv6 addresses or CIDRs.*"example.com"/,
    );
  });
});

describe('loadCallbackConfig', () => {
  const env = { EVENT_BUS_NAME: 'bus', CALLBACK_TOKEN_SECRET_ID: 'secret', RETRY_QUEUE_URL: 'http://q' };

  it('applies the documented defaults', () => {
    expect(loadCallbackConfig(env)).toMatchObject({
      eventSource: 'openim',
      pathPrefix: 'openim',
      allowedSourceCidrs: [],
      maxBodyBytes: 2 * 1024 * 1024,
      publishTimeoutMs: 300,
      replyBudgetMs: 1_500,
      breakerFailureThreshold: 3,
      breakerCooldownMs: 5_000,
    });
  });

  it.each(['EVENT_BUS_NAME', 'CALLBACK_TOKEN_SECRET_ID', 'RETRY_QUEUE_URL'])('requires %s', (name) => {
    expect(() => loadCallbackConfig({ ...env, [name]: '' })).toThrow(`environment variable ${name} is required`);
  });

  it.each([
    ['REPLY_BUDGET_MS', '2.5s', /replyBudgetMs: expected a whole number from 550 to 4500, got "2.5s"/],
    ['REPLY_BUDGET_MS', '1e3', /replyBudgetMs: expected a whole number/],
    ['MAX_BODY_BYTES', '1.5', /maxBodyBytes: expected a whole number from 1024 to 4194304/],
    ['PUBLISH_TIMEOUT_MS', '0', /publishTimeoutMs: expected a whole number from 50 to 3000, got "0"/],
    ['ALLOWED_SOURCE_CIDRS', '10.0.0.0/33', /allowedSourceCidrs: expected IPv4 or IPv6 .*"10.0.0.0\/33"/],
    ['ALLOWED_SOURCE_CIDRS', 'openim.example.com', /allowedSourceCidrs: .*"openim.example.com"/],
    ['CALLBACK_PATH_PREFIX', 'a b', /pathPrefix: expected URL path segments/],
    ['EVENT_SOURCE', 'aws.events', /eventSource: .*not starting with "aws."/],
  ])('refuses %s=%s at load with the rule cdk synth applies', (name, value, message) => {
    expect(() => loadCallbackConfig({ ...env, [name]: value })).toThrow(message);
  });

  it('refuses a reply budget that leaves no room to park after the publish attempt', () => {
    expect(() => loadCallbackConfig({ ...env, PUBLISH_TIMEOUT_MS: '300', REPLY_BUDGET_MS: '700' })).toThrow(
      /replyBudgetMs: expected at least publishTimeoutMs \(300\) \+ 500 ms kept for parking, got 700/,
    );
  });

  it('splits the allow-list and trims the prefix', () => {
    expect(
      loadCallbackConfig({ ...env, ALLOWED_SOURCE_CIDRS: ' 10.0.0.0/8 , ::1 ', CALLBACK_PATH_PREFIX: '/hooks/' }),
    ).toMatchObject({
      allowedSourceCidrs: ['10.0.0.0/8', '::1'],
      pathPrefix: 'hooks',
    });
  });
});
