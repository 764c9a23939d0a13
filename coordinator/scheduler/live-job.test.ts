import { afterEach, describe, expect, it } from 'vitest';
import { IllegalMoveError, type JobSpec } from '../../shared/index.js';
import { countedProgress, makeSpec } from '../test-helpers.js';
import { openSqliteStore, type JobRecord, type Store, type TaskRecord } from '../store/index.js';
import { buildJob, newTaskTable, newTasks } from './build-job.js';
import { LiveJob, WINDOW } from './live-job.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** A job written to a real store, live with every task cold; `loads` records each read of tasks. */
async function liveJob(input: Partial<JobSpec> & { items: unknown[] }) {
  const store = await openSqliteStore(':memory:');
  stores.push(store);
  const spec = { ...makeSpec(input), code: { blob: 'c'.repeat(64) } } as JobSpec;
  const built = await buildJob(spec, { blob: () => Promise.resolve(undefined), limits: { maxTasks: 100_000, maxItems: 100_000 } });
  const job = { id: 'job_1', name: 'n', state: 'PENDING' as const, priority: 0, spec, codeSha: 'c'.repeat(64), itemCount: built.units, taskCount: built.shares.length, error: null, idempotencyKey: null, createdAt: 0, updatedAt: 0 };
  const answers = await store.write([{ type: 'createJob', job, tasks: newTasks(built) }]);
  const record: JobRecord = { ...job, seq: answers[0]![0]! };
  const loads: number[][] = [];
  const live = new LiveJob(record, newTaskTable(built), built.graph, [], (indices) => {
    loads.push(indices);
    return store.listTasks('job_1', { indices });
  });
  /** Takes the next ready task, waiting for a load when the head is cold. */
  const take = async (): Promise<TaskRecord> => {
    for (let tries = 0; tries < 3; tries++) {
      const task = live.takeReady();
      if (task) return task;
      await new Promise<void>((resolve) => (live.onLoaded = resolve));
    }
    throw new Error('nothing ready');
  };
  return { live, loads, take, store };
}

describe('LiveJob.setState', () => {
  it('moves a task along the state machine, keeping the counts', async () => {
    const { live } = await liveJob({ items: [1, 2, 3], dependencies: [[0, 1]] });
    live.setState(0, 'leased');
    live.setState(0, 'done');
    expect(live.progress()).toEqual(countedProgress(live.states()));
    expect(live.progress()).toMatchObject({ done: 1, running: 0 });
  });

  it('refuses a move the state machine does not allow, and changes nothing', async () => {
    const { live } = await liveJob({ items: [1, 2, 3], dependencies: [[0, 1]] });
    expect(live.states()[1]).toBe('blocked');
    expect(() => live.setState(1, 'leased')).toThrow(IllegalMoveError);
    expect(() => live.setState(0, 'done')).toThrow('a task may not move from ready to done');
    live.setState(0, 'cancelled');
    expect(() => live.setState(0, 'leased')).toThrow(IllegalMoveError);
    expect(live.states()).toEqual(['cancelled', 'blocked', 'ready']);
    expect(live.progress()).toEqual(countedProgress(live.states()));
  });
});

describe('LiveJob window', () => {
  it('holds the records of the next tasks to lease, not the whole job, and reads the next ones before they are needed', async () => {
    const items = Array.from({ length: 5 * WINDOW }, (_, n) => n);
    const { live, loads, take } = await liveJob({ items });
    expect(live.tasks.warmCount).toBe(0);
    expect(live.takeReady()).toBeUndefined();
    for (let n = 0; n < items.length; n++) {
      const task = await take();
      expect(task).toMatchObject({ index: n, state: 'ready' });
      expect(task.input).toEqual([n]);
      live.setState(task.index, 'leased');
      live.markDone(task, [n * 2]);
      expect(live.tasks.warmCount).toBeLessThanOrEqual(WINDOW);
    }
    expect(live.allDone()).toBe(true);
    expect(live.tasks.warmCount).toBe(0);
    // Each task read once, a window at a time, ahead of the takes: only the first take waited.
    expect(loads.flat()).toEqual(items);
    expect(loads.length).toBeLessThanOrEqual(2 * (items.length / WINDOW) + 1);
  });

  it('keeps done tasks whose outputs later tasks read (a reduce step)', async () => {
    const { live, take } = await liveJob({ items: [1, 2, 3], reduce: 'export default (outputs) => outputs.length' });
    for (let n = 0; n < 3; n++) {
      const task = await take();
      live.setState(task.index, 'leased');
      live.markDone(task, [n]);
    }
    expect(live.keepsDone).toBe(true);
    expect(live.outputs()).toEqual([0, 1, 2]);
  });
});
