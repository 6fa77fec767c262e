import { zeroCounters } from '../../../functions/reconcile/differences';
import { describeFailure, describeSweep, finishSweep, pageSizeFor, planSweep } from '../../../functions/reconcile/plan';
import { ModelDirectory } from '../../helpers/openim-port';
import { InMemorySweepRecords } from '../../helpers/reconciler-fakes';

const NOW = Date.UTC(2026, 10, 26, 3);

describe('pageSizeFor', () => {
  it('fills a page with what one worker does in the time given, at three calls per user', () => {
    // 100 calls/s shared by 4 workers: 25 calls/s each; 300 s of that is 7,500 calls, 2,500 users.
    expect(pageSizeFor(100, 4, 300)).toBe(2_500);
    expect(pageSizeFor(10, 10, 300)).toBe(100);
  });

  it('stays within bounds', () => {
    expect(pageSizeFor(1, 1, 1)).toBe(25);
    expect(pageSizeFor(5_000, 1, 900)).toBe(10_000);
  });
});

describe('planSweep', () => {
  const deps = (records: InMemorySweepRecords, users: number) => ({
    directory: new ModelDirectory(Array.from({ length: users }, (_, index) => `u${index}`)),
    lock: records,
    records,
    clock: () => NOW,
    pageSize: 10,
    concurrency: 3,
    lockMs: 3_600_000,
  });

  it('takes the lock, records the start, and lists one part per page and per orphans segment', async () => {
    const records = new InMemorySweepRecords();
    const plan = await planSweep('s1', deps(records, 25));
    expect(plan).toEqual({
      locked: true,
      sweepID: 's1',
      pageSize: 10,
      pages: [1, 2, 3],
      segments: [0, 1, 2],
      totalSegments: 3,
    });
    expect(records.lock).toEqual({ sweepID: 's1', expiresAt: NOW + 3_600_000 });
    expect(records.sweeps.get('s1')).toMatchObject({ startedAt: NOW, usersListed: 25 });
  });

  it('reports the sweep holding the lock and does nothing else; the same sweep may take it again (a retry)', async () => {
    const records = new InMemorySweepRecords();
    await planSweep('s1', deps(records, 5));
    expect(await planSweep('s2', deps(records, 5))).toEqual({ locked: false, sweepID: 's2', heldBy: 's1' });
    expect(records.sweeps.has('s2')).toBe(false);
    expect(await planSweep('s1', deps(records, 5))).toMatchObject({ locked: true, pages: [1] });
  });

  it('takes a lock whose holder died (expired)', async () => {
    const records = new InMemorySweepRecords();
    await planSweep('s1', deps(records, 5));
    const later = { ...deps(records, 5), clock: () => NOW + 3_600_001 };
    expect(await planSweep('s2', later)).toMatchObject({ locked: true });
  });

  it('cuts pages small enough to keep every worker busy with four pages each, down to the smallest page', async () => {
    const plan = await planSweep('s1', {
      ...deps(new InMemorySweepRecords(), 1_000),
      pageSize: 10_000,
      concurrency: 4,
    });
    expect(plan).toMatchObject({ pageSize: 63, pages: Array.from({ length: 16 }, (_, index) => index + 1) });
    const few = await planSweep('s2', { ...deps(new InMemorySweepRecords(), 60), pageSize: 10_000, concurrency: 4 });
    expect(few).toMatchObject({ pageSize: 25, pages: [1, 2, 3] });
  });

  it('plans no page for an OpenIM without users (the orphans phase still runs)', async () => {
    expect(await planSweep('s1', deps(new InMemorySweepRecords(), 0))).toMatchObject({
      pages: [],
      segments: [0, 1, 2],
    });
  });
});

describe('finishSweep', () => {
  it.each([
    [{ failed: false } as const, 'completed'],
    [{ failed: true, error: 'States.TaskFailed: OpenIM unreachable' } as const, 'failed'],
  ])('closes the record and releases the lock (%o)', async (end, status) => {
    const records = new InMemorySweepRecords();
    await records.acquire('s1', NOW + 1000, NOW);
    await records.start('s1', { startedAt: NOW, usersListed: 2 });
    const summary = await finishSweep('s1', end, { lock: records, records, clock: () => NOW + 192_000 });
    expect(summary).toMatchObject({
      sweepID: 's1',
      status,
      startedAt: '2026-11-26T03:00:00.000Z',
      finishedAt: '2026-11-26T03:03:12.000Z',
    });
    expect(records.lock).toBeUndefined();
  });
});

describe('describeSweep', () => {
  it('is the one line npm run reconcile prints', () => {
    const counters = {
      ...zeroCounters(),
      usersChecked: 100_000,
      friendAdded: 3,
      friendRemoved: 4,
      remarkChanged: 2,
      blacklistAdded: 2,
      blacklistRemoved: 1,
      eventsPublished: 12,
    };
    const summary = {
      sweepID: 's1',
      status: 'completed' as const,
      startedAt: '2026-11-26T03:00:00.000Z',
      finishedAt: '2026-11-26T03:03:12.000Z',
      usersListed: 100_000,
      counters,
    };
    expect(describeSweep(summary)).toBe(
      'sweep s1 completed in 3m 12s; 100000 users checked, 12 differences (3 friends added, 4 friends removed, 2 remarks changed, 2 blocks added, 1 blocks removed), 12 repair events published, 0 OpenIM API errors',
    );
    expect(describeSweep({ ...summary, counters: { ...counters, deferredNewer: 2 } })).toMatch(
      /, 0 OpenIM API errors, 2 differences deferred to the next sweep \(the graph changed after the read\)$/,
    );
    expect(describeSweep({ ...summary, status: 'failed', error: 'OpenImUnavailable: connect ECONNREFUSED' })).toMatch(
      /^sweep s1 failed in 3m 12s: OpenImUnavailable: connect ECONNREFUSED; 100000 users checked/,
    );
  });
});

describe('describeFailure', () => {
  it('reads the message out of a Lambda error Cause (JSON), and takes plain text as it is', () => {
    const cause = JSON.stringify({
      errorType: 'OpenImUnavailable',
      errorMessage: 'get_black_list: HTTP 502',
      trace: [],
    });
    expect(describeFailure({ Error: 'OpenImUnavailable', Cause: cause })).toBe(
      'OpenImUnavailable: get_black_list: HTTP 502',
    );
    expect(describeFailure({ Error: 'States.Timeout', Cause: 'the task timed out' })).toBe(
      'States.Timeout: the task timed out',
    );
    expect(describeFailure({ Error: 'X', Cause: 'y'.repeat(900) })).toHaveLength(503);
  });
});
