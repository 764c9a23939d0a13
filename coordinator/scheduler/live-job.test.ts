import { describe, expect, it } from 'vitest';
import { IllegalMoveError } from '../../shared/index.js';
import { countedProgress, makeSpec } from '../test-helpers.js';
import { buildJob } from './build-job.js';
import { LiveJob } from './live-job.js';

async function liveJob(): Promise<LiveJob> {
  const spec = { ...makeSpec({ items: [1, 2, 3], dependencies: [[0, 1]] }), code: { blob: 'c'.repeat(64) } };
  const built = await buildJob('job_1', spec, { blob: () => Promise.resolve(undefined), limits: { maxTasks: 10, maxItems: 10 } }, 0);
  const record = { seq: 1, id: 'job_1', name: 'n', state: 'PENDING' as const, priority: 0, spec, codeSha: 'c'.repeat(64), itemCount: 3, taskCount: 3, error: null, idempotencyKey: null, createdAt: 0, updatedAt: 0 };
  return new LiveJob(record, built.tasks, built.graph, 0);
}

describe('LiveJob.setState', () => {
  it('moves a task along the state machine, keeping the counts', async () => {
    const job = await liveJob();
    const [first] = job.tasks;
    job.setState(first!, 'leased');
    job.setState(first!, 'done');
    expect(job.progress()).toEqual(countedProgress(job.tasks));
    expect(job.progress()).toMatchObject({ done: 1, running: 0 });
  });

  it('refuses a move the state machine does not allow, and changes nothing', async () => {
    const job = await liveJob();
    const [first, blocked] = job.tasks;
    expect(blocked!.state).toBe('blocked');
    expect(() => job.setState(blocked!, 'leased')).toThrow(IllegalMoveError);
    expect(() => job.setState(first!, 'done')).toThrow('a task may not move from ready to done');
    job.setState(first!, 'cancelled');
    expect(() => job.setState(first!, 'ready')).toThrow(IllegalMoveError);
    expect(job.tasks.map((task) => task.state)).toEqual(['cancelled', 'blocked', 'ready']);
    expect(job.progress()).toEqual(countedProgress(job.tasks));
  });
});
