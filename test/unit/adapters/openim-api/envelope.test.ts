import { classifyAnswer, retryAfterMs } from '../../../../functions/adapters/openim-api/envelope';

describe("OpenIM's reply envelope", () => {
  it('is success with errCode 0, and its data exact', () => {
    expect(
      classifyAnswer(200, null, '{"errCode":0,"errMsg":"","errDlt":"","data":{"version":14693797707897875956}}'),
    ).toEqual({
      kind: 'ok',
      data: { version: 14693797707897875956n },
    });
    expect(classifyAnswer(200, null, '{"errCode":0,"errMsg":"","errDlt":""}')).toEqual({ kind: 'ok', data: {} });
  });

  it('is an error with HTTP 200 and any other errCode', () => {
    expect(
      classifyAnswer(200, null, '{"errCode":1004,"errMsg":"RecordNotFoundError","errDlt":"user not found"}'),
    ).toEqual({
      kind: 'api-error',
      reply: { errCode: 1004, errMsg: 'RecordNotFoundError', errDlt: 'user not found' },
    });
  });

  it('tells a 429, another status and an unreadable body apart', () => {
    expect(classifyAnswer(429, '1', '{"errCode":429}')).toEqual({ kind: 'throttled', retryAfter: '1' });
    expect(classifyAnswer(500, null, '')).toEqual({ kind: 'http-error', status: 500 });
    expect(classifyAnswer(404, null, '404 page not found')).toEqual({ kind: 'http-error', status: 404 });
    expect(classifyAnswer(200, null, '<html>')).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringContaining('not JSON'),
    });
    expect(classifyAnswer(200, null, '{"code":0}')).toMatchObject({ kind: 'unreadable' });
    expect(classifyAnswer(200, null, '{"errCode":0,"data":[]}')).toMatchObject({ kind: 'unreadable' });
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-12-01T10:00:00.000Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('2', now)).toBe(2_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
  });

  it('is never negative, and undefined when absent or unreadable', () => {
    expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
  });
});
