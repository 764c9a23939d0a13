import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatsHistory as StatsHistoryBody, StatsSample } from '../../shared/index.js';
import { asker, joinFakeWorker, ManualClock, openParts, readBody, serverCaller, submitJob, useRealServers, type Parts } from '../test-helpers.js';
import { currentNumbers, StatsHistory } from './stats-history.js';

// The throughput history: a sample of real parts' numbers every interval, the newest kept in a ring.

const { start } = useRealServers();
let parts: Parts;

beforeEach(async () => {
  parts = await openParts();
});

afterEach(async () => {
  await parts.close();
});

describe('StatsHistory', () => {
  it('samples tasks per second, workers, the queue and the leased tasks', async () => {
    const clock = new ManualClock();
    const history = new StatsHistory(() => currentNumbers(parts.scheduler, parts.gateway), { now: clock.now });
    expect(history.samples()).toEqual([]);
    expect(history.latest()).toBeUndefined();

    await joinFakeWorker(parts.gateway, 'w_1');
    await submitJob(parts.scheduler, parts.store, { items: [1, 2, 3] });
    const lease = (await parts.scheduler.leaseNext(asker('w_1')))!;
    expect(history.sample()).toEqual({ time: new Date(clock.time).toISOString(), tasksPerSecond: 0, workers: 1, queueDepth: 2, running: 1 });

    await parts.scheduler.complete('w_1', lease.leaseId, [2]);
    clock.advance(10_000);
    const second = history.sample();
    expect(StatsSample.parse(second)).toMatchObject({ workers: 1, queueDepth: 2, running: 0 });
    expect(second.tasksPerSecond).toBeGreaterThan(0);
    expect(history.latest()).toEqual(second);
  });

  it('keeps the newest `capacity` samples, oldest first', () => {
    const clock = new ManualClock();
    let workers = 0;
    const history = new StatsHistory(() => ({ tasksPerSecond: 0, workers: workers++, queueDepth: 0, running: 0 }), { capacity: 3, now: clock.now });
    for (let n = 0; n < 5; n++) {
      history.sample();
      clock.advance(10_000);
    }
    expect(history.samples().map((sample) => sample.workers)).toEqual([2, 3, 4]);
    expect(history.latest()?.workers).toBe(4);
  });

  it('samples on its timer until stopped', async () => {
    const history = new StatsHistory(() => currentNumbers(parts.scheduler, parts.gateway), { intervalMs: 20 });
    history.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    history.stop();
    const taken = history.samples().length;
    expect(taken).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(history.samples()).toHaveLength(taken);
  });
});

describe('GET /api/v1/stats/history', () => {
  it('answers the samples so far: none on a coordinator just started', async () => {
    const coordinator = await start();
    expect(await readBody(await serverCaller(coordinator)('GET', '/api/v1/stats/history'), StatsHistoryBody)).toEqual({ samples: [] });
  });
});
