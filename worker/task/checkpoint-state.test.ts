import { describe, expect, it } from 'vitest';
import type { CheckpointEnvelope, LogLevel, TaskContext, TaskInput, TaskLease } from '../../shared/index.js';
import type { TaskPorts } from './task-attempt.js';
import { runTask } from './task-runner.js';

/** Ports that keep the checkpoints sent and the logs, and store every checkpoint. */
function recordingPorts() {
  const checkpoints: CheckpointEnvelope[] = [];
  const logs: { level: LogLevel; message: string }[] = [];
  const ports: TaskPorts = {
    log: (level, message) => logs.push({ level, message }),
    progress: () => {},
    checkpoint: (envelope) => {
      checkpoints.push(structuredClone(envelope));
      return Promise.resolve({ status: 'stored' });
    },
    readShard: () => Promise.reject(new Error('no shards here')),
  };
  return { ports, checkpoints, logs };
}

function lease(input: TaskInput, restored?: unknown): TaskLease {
  const taskLease: TaskLease = { type: 'lease', leaseId: 'l-1', jobId: 'j', jobName: 'job', taskIndex: 0, attempt: 1, code: 'a'.repeat(64), input };
  if (restored !== undefined) taskLease.restored = restored;
  return taskLease;
}

const range: TaskInput = { kind: 'range', start: 0, end: 1, step: 1 };

describe('ctx.checkpoint with a state JSON cannot carry', () => {
  it('rejects with a CheckpointStateError naming the path, sends nothing, and the task can go on', async () => {
    const { ports, checkpoints } = recordingPorts();
    const outcome = await runTask(
      async (_input, ctx: TaskContext) => {
        await ctx.checkpoint({ step: 1 });
        const refused = await ctx.checkpoint({ step: 2, weights: new Float32Array(3) }).then(
          () => 'saved',
          (error: Error) => `${error.name}: ${error.message}`,
        );
        await ctx.checkpoint({ step: 3 });
        return refused;
      },
      { lease: lease(range), ports },
    );
    expect(outcome).toEqual({
      ok: true,
      outputs: ['CheckpointStateError: checkpoint state at .weights is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob'],
    });
    expect(checkpoints).toEqual([{ user: { step: 1 } }, { user: { step: 3 } }]);
  });

  it('fails the task with the message when task code does not catch it', async () => {
    const { ports, checkpoints } = recordingPorts();
    const outcome = await runTask(async (_input, ctx: TaskContext) => ctx.checkpoint({ seen: new Map([[1, 2]]) }), { lease: lease(range), ports });
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^checkpoint state at \.seen is a Map, which JSON turns into \{\}/) as unknown } });
    expect(checkpoints).toEqual([]);
  });

  it('keeps the last saved state in later checkpoints of an items task', async () => {
    const { ports, checkpoints } = recordingPorts();
    const outcome = await runTask(
      async (item, ctx: TaskContext) => {
        if (item === 1) await ctx.checkpoint({ last: 1 });
        else await ctx.checkpoint({ last: new Date(0) }).catch(() => undefined);
        return item;
      },
      { lease: lease({ kind: 'items', firstItem: 0, items: [1, 2, 3] }), ports },
    );
    expect(outcome).toEqual({ ok: true, outputs: [1, 2, 3] });
    for (const checkpoint of checkpoints) expect(checkpoint.user).toEqual({ last: 1 });
  });
});

describe('task outputs JSON cannot carry', () => {
  it('fail the task at the item that made one, naming it and the path', async () => {
    const { ports } = recordingPorts();
    const calls: unknown[] = [];
    const outcome = await runTask(
      (item) => {
        calls.push(item);
        return item === 2 ? { w: new Float32Array(2) } : item;
      },
      { lease: lease({ kind: 'items', firstItem: 10, items: [1, 2, 3] }), ports },
    );
    expect(outcome).toMatchObject({
      ok: false,
      error: { message: 'task outputs are not JSON-serialisable: the output of item 11 at .w is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob' },
    });
    expect(calls).toEqual([1, 2]);
  });

  it('fail a range task whose output is a class instance (which posting to the page would turn into a plain object)', async () => {
    class Result {
      sum = 3;
    }
    const { ports } = recordingPorts();
    const outcome = await runTask(() => new Result(), { lease: lease(range), ports });
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringContaining("the task's output is an instance of Result") as unknown } });
  });

  it('let an output that is undefined through: task code that returns nothing', async () => {
    const { ports } = recordingPorts();
    expect(await runTask(() => undefined, { lease: lease({ kind: 'items', firstItem: 0, items: [1, 2] }), ports })).toEqual({ ok: true, outputs: [undefined, undefined] });
  });
});
