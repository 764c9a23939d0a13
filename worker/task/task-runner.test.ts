import type { CheckpointAck, CheckpointEnvelope, TaskContext, TaskFunction } from '../../shared/index.js';
import { describe, expect, it } from 'vitest';
import type { LogLevel, TaskInput, TaskLease } from '../../shared/index.js';
import { formatLogArgs, truncate } from './log-format.js';
import type { BlobShard } from './shard-reader.js';
import type { TaskPorts } from './task-attempt.js';


import { runTask, taskFunctionOf, type TaskRun } from './task-runner.js';

interface RecordingPorts extends TaskPorts {
  logs: { level: LogLevel; message: string }[];
  fractions: number[];
  checkpoints: CheckpointEnvelope[];
  shardsRead: BlobShard[];
}

/** Ports that record everything; checkpoints are answered by `answer` (stored by default). */
function recordingPorts(answer: (envelope: CheckpointEnvelope) => CheckpointAck = () => ({ status: 'stored' })): RecordingPorts {
  const ports: RecordingPorts = {
    logs: [],
    fractions: [],
    checkpoints: [],
    shardsRead: [],
    log: (level, message) => ports.logs.push({ level, message }),
    progress: (fraction) => ports.fractions.push(fraction),
    checkpoint: (envelope) => {
      ports.checkpoints.push(structuredClone(envelope));
      return Promise.resolve(answer(envelope));
    },
    readShard: (shard) => {
      ports.shardsRead.push(shard);
      return Promise.resolve(new TextEncoder().encode('alpha\nbeta\ngamma\n').subarray(shard.offset, shard.offset + shard.length));
    },
  };
  return ports;
}

function lease(input: TaskInput, overrides: Partial<TaskLease> = {}): TaskLease {
  return { type: 'lease', leaseId: 'lease-1', jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, code: 'a'.repeat(64), input, ...overrides };
}

const items = (values: unknown[], firstItem = 0, edges: Partial<Extract<TaskInput, { kind: 'items' }>> = {}): TaskInput => ({
  kind: 'items',
  firstItem,
  items: values,
  ...edges,
});

function run(input: TaskInput, ports = recordingPorts(), overrides: Partial<TaskLease> = {}): TaskRun & { ports: RecordingPorts } {
  return { lease: lease(input, overrides), ports };
}

describe('runTask: items', () => {
  it('returns outputs in item order, awaiting async functions', async () => {
    const slowFirst: TaskFunction = async (item) => {
      const n = Number(item);
      await new Promise((resolve) => setTimeout(resolve, n === 1 ? 20 : 0));
      return n * n;
    };
    expect(await runTask(slowFirst, run(items([1, 2, 3])))).toEqual({ ok: true, outputs: [1, 4, 9] });
  });

  it('gives each call ctx.task with the job-wide item index', async () => {
    const seen: TaskContext['task'][] = [];
    await runTask((_item, ctx) => seen.push(ctx.task), run(items(['a', 'b'], 10)));
    expect(seen).toEqual([
      { jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, leaseId: 'lease-1', itemIndex: 10 },
      { jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, leaseId: 'lease-1', itemIndex: 11 },
    ]);
  });

  it('turns a throw into a failure with its message and stack, calling no further items', async () => {
    const calls: unknown[] = [];
    const outcome = await runTask((item) => {
      calls.push(item);
      if (item === 2) throw new Error('two is not allowed');
      return item;
    }, run(items([1, 2, 3])));
    expect(calls).toEqual([1, 2]);
    expect(outcome).toMatchObject({ ok: false, error: { message: 'two is not allowed' } });
    if (!outcome.ok) expect(outcome.error.stack).toContain('two is not allowed');
  });

  it('reports a rejected promise and a thrown non-Error as failures too', async () => {
    expect(await runTask(() => Promise.reject(new TypeError('async boom')), run(items([1])))).toMatchObject({
      ok: false,
      error: { message: 'async boom' },
    });
    const thrownString = (): never => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- task code may throw anything; this is that case
      throw 'plain string';
    };
    expect(await runTask(thrownString, run(items([1])))).toEqual({ ok: false, error: { message: 'plain string' } });
  });

  it('scales progress of an item to the whole task', async () => {
    const task = run(items([0, 1, 2, 3]));
    await runTask((item, ctx) => {
      if (item === 1) ctx.progress(0.5);
      if (item === 3) ctx.progress(2);
    }, task);
    // 0.25, 0.5 and 0.75 mark items done; 0.375 is half of item 1; 1 is item 3 clamped.
    expect(task.ports.fractions).toEqual([0.25, 0.375, 0.5, 0.75, 1]);
  });

  it('formats ctx.log like console.log and ignores calls after the task ended', async () => {
    const task = run(items([1]));
    let late: TaskContext | undefined;
    await runTask((item, ctx) => {
      ctx.log('item', item, { half: 0.5 }, [1, 2]);
      late = ctx;
    }, task);
    late?.log('too late');
    late?.progress(0.9);
    expect(await late?.checkpoint('too late')).toBe(false);
    expect(task.ports.logs).toEqual([{ level: 'info', message: 'item 1 {"half":0.5} [1,2]' }]);
    expect(task.ports.fractions).toEqual([]);
    expect(task.ports.checkpoints).toEqual([]);
  });

  it('returns no outputs for no items', async () => {
    expect(await runTask(() => 1, run(items([])))).toEqual({ ok: true, outputs: [] });
  });

  it('checkpoints how far it got after each item but the last, carrying the last user state', async () => {
    const task = run(items([1, 2, 3]));
    await runTask(async (item, ctx) => {
      if (item === 2) await ctx.checkpoint({ seen: 2 });
      return Number(item) * 10;
    }, task);
    expect(task.ports.checkpoints).toEqual([
      { items: { done: 1, outputs: [10] } },
      { items: { done: 1, outputs: [10] }, user: { seen: 2 } },
      { items: { done: 2, outputs: [10, 20] }, user: { seen: 2 } },
    ]);
  });

  it('skips the items a restored checkpoint says are done, reusing their outputs', async () => {
    const calls: unknown[] = [];
    const restoredStates: unknown[] = [];
    const task = run(items(['a', 'b', 'c', 'd'], 20), recordingPorts(), {
      attempt: 2,
      restored: { items: { done: 2, outputs: ['A', 'B'] }, user: 'half way' },
    });
    const outcome = await runTask((item, ctx) => {
      calls.push(ctx.task.itemIndex);
      restoredStates.push(ctx.restored);
      return String(item).toUpperCase();
    }, task);
    expect(outcome).toEqual({ ok: true, outputs: ['A', 'B', 'C', 'D'] });
    expect(calls).toEqual([22, 23]);
    expect(restoredStates).toEqual(['half way', 'half way']);
    expect(task.ports.checkpoints[0]).toEqual({ items: { done: 3, outputs: ['A', 'B', 'C'] }, user: 'half way' });
  });

  it('starts from the first item when the checkpoint does not add up, and takes a bare one as user state', async () => {
    const calls: unknown[] = [];
    const broken = run(items([1, 2]), recordingPorts(), { restored: { items: { done: 2, outputs: [] } } });
    await runTask((item) => calls.push(item), broken);
    expect(calls).toEqual([1, 2]);

    let restored: unknown;
    await runTask((_item, ctx) => (restored = ctx.restored), run(items([1]), recordingPorts(), { restored: [1, 2, 3] }));
    expect(restored).toEqual([1, 2, 3]);
  });

  it('gives each item its predecessors: from its own outputs inside the chunk, from the lease outside it', async () => {
    const seen: Record<number, unknown> = {};
    const input = items([1, 2, 3], 10, {
      predecessors: { '11': [3, 10], '12': [11, 7] },
      predecessorOutputs: { '3': 'three', '7': 'seven' },
    });
    await runTask((item, ctx) => {
      seen[ctx.task.itemIndex!] = ctx.predecessors;
      return `out${String(item)}`;
    }, run(input));
    expect(seen).toEqual({
      10: [],
      11: [
        { index: 3, output: 'three' },
        { index: 10, output: 'out1' },
      ],
      12: [
        { index: 11, output: 'out2' },
        { index: 7, output: 'seven' },
      ],
    });
  });

  it('resolves ctx.checkpoint false when refused, logs a warning and goes on', async () => {
    const answer = (envelope: CheckpointEnvelope): CheckpointAck =>
      'user' in envelope && envelope.user === 'huge'
        ? { status: 'refused', reason: 'checkpoint of 2000000 bytes is over the limit of 1048576 (413); the last stored one stands' }
        : { status: 'stored' };
    const task = run(items([1, 2]), recordingPorts(answer));
    const answers: boolean[] = [];
    const outcome = await runTask(async (item, ctx) => {
      if (item === 1) answers.push(await ctx.checkpoint('huge'));
      return item;
    }, task);
    expect(outcome).toEqual({ ok: true, outputs: [1, 2] });
    expect(answers).toEqual([false]);
    expect(task.ports.logs).toContainEqual({
      level: 'warn',
      message: expect.stringMatching(/^checkpoint refused: checkpoint of 2000000 bytes is over the limit .*the task goes on$/) as unknown,
    });
  });

  it('drops a refused user state from later checkpoints, falling back to the last stored one', async () => {
    const answer = (envelope: CheckpointEnvelope): CheckpointAck =>
      envelope.user === 'huge' ? { status: 'refused', reason: 'too large' } : { status: 'stored' };
    const task = run(items([1, 2, 3]), recordingPorts(answer));
    const restored: unknown[] = [];
    await runTask(async (item, ctx) => {
      restored.push(ctx.restored);
      if (item === 1) await ctx.checkpoint('small');
      if (item === 2) await ctx.checkpoint('huge');
    }, task);
    expect(restored).toEqual([undefined, 'small', 'small']);
    expect(task.ports.checkpoints.map((envelope) => envelope.user)).toEqual(['small', 'small', 'huge', 'small']);
  });

  it('logs the lease, each input and output and the checkpoint answers at debug level for debug leases', async () => {
    const task = run(items([1, 2], 0), recordingPorts(), { debug: true });
    await runTask((item) => Number(item) + 1, task);
    const debug = task.ports.logs.filter((line) => line.level === 'debug').map((line) => line.message);
    expect(debug[0]).toMatch(/^lease lease-1: squares \(job-1\) task 2 attempt 1, items 0\.\.1 \[1,2\]/);
    expect(debug).toContain('item 0 input: 1');
    expect(debug).toContain('item 0 output: 2');
    expect(debug).toContain('item 1 output: 3');
    expect(debug).toContain('checkpoint (1 items done) stored');
    expect(task.ports.logs.every((line) => line.level === 'debug')).toBe(true);
  });

  it('logs nothing of its own for ordinary leases', async () => {
    const task = run(items([1, 2]));
    await runTask((item) => item, task);
    expect(task.ports.logs).toEqual([]);
  });

  it('ends at once with the reason when its signal aborts, and hears the task no more', async () => {
    const controller = new AbortController();
    const task: TaskRun & { ports: RecordingPorts } = { ...run(items([1])), signal: controller.signal };
    let ctxOfHungTask: TaskContext | undefined;
    const outcome = runTask((_item, ctx) => {
      ctxOfHungTask = ctx;
      return new Promise(() => {});
    }, task);
    controller.abort({ message: 'task timed out after 50 ms' });
    expect(await outcome).toEqual({ ok: false, error: { message: 'task timed out after 50 ms' } });
    ctxOfHungTask?.log('still here');
    expect(task.ports.logs).toEqual([]);
  });
});

describe('runTask: range, blob and reduce', () => {
  it('calls a range task once with its sub-range, its predecessors and its restored state', async () => {
    const calls: unknown[] = [];
    const input: TaskInput = { kind: 'range', start: 10, end: 20, step: 2, predecessors: { '2': [0] }, predecessorOutputs: { '0': 45 } };
    const outcome = await runTask((range, ctx) => {
      calls.push({ range, task: ctx.task, restored: ctx.restored, predecessors: ctx.predecessors });
      return 'sum';
    }, run(input, recordingPorts(), { restored: { user: { at: 14 } } }));
    expect(outcome).toEqual({ ok: true, outputs: ['sum'] });
    expect(calls).toEqual([
      {
        range: { start: 10, end: 20, step: 2 },
        task: { jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, leaseId: 'lease-1' },
        restored: { at: 14 },
        predecessors: [{ index: 0, output: 45 }],
      },
    ]);
  });

  it('checkpoints a range task as a user state only', async () => {
    const task = run({ kind: 'range', start: 0, end: 4, step: 1 });
    await runTask(async (_range, ctx) => {
      expect(await ctx.checkpoint({ at: 2 })).toBe(true);
      return 1;
    }, task);
    expect(task.ports.checkpoints).toEqual([{ user: { at: 2 } }]);
  });

  const shard = (overrides: Partial<BlobShard>): BlobShard => ({
    kind: 'blob',
    blob: 'b'.repeat(64),
    offset: 0,
    length: 17,
    records: false,
    separator: '\n',
    ...overrides,
  });

  it('passes a blob task its shard bytes, or its records without the trailing empty one', async () => {
    const bytesTask = run(shard({ offset: 6, length: 5 }));
    expect(await runTask((bytes) => new TextDecoder().decode(bytes as Uint8Array), bytesTask)).toEqual({ ok: true, outputs: ['beta\n'] });
    expect(bytesTask.ports.shardsRead).toHaveLength(1);

    expect(await runTask((records) => records, run(shard({ records: true })))).toEqual({ ok: true, outputs: [['alpha', 'beta', 'gamma']] });
  });

  it('calls a reduce task once with every output', async () => {
    const outcome = await runTask((outputs, ctx) => {
      expect(ctx.predecessors).toEqual([]);
      return (outputs as number[]).reduce((sum, value) => sum + value, 0);
    }, run({ kind: 'reduce', outputs: [1, 2, 3] }));
    expect(outcome).toEqual({ ok: true, outputs: [6] });
  });

  it('gives the environment’s extras to ctx without letting them replace its own members', async () => {
    let ctx: TaskContext | undefined;
    const task = { ...run({ kind: 'reduce', outputs: [] }), extras: { tensor: 'cpu', log: 'not mine' } };
    await runTask((_outputs, given) => (ctx = given), task);
    expect((ctx as unknown as { tensor: string }).tensor).toBe('cpu');
    expect(typeof ctx?.log).toBe('function');
  });
});

describe('taskFunctionOf', () => {
  it('returns the default export', () => {
    const main = (): number => 1;
    expect(taskFunctionOf({ default: main })).toBe(main);
  });

  it('throws a TaskCodeError without a default function', () => {
    expect(() => taskFunctionOf({ run: () => 1 })).toThrow(expect.objectContaining({ name: 'TaskCodeError' }));
    expect(() => taskFunctionOf({ default: 3 })).toThrow(/default export/);
    expect(() => taskFunctionOf(undefined)).toThrow(/default export/);
  });
});

describe('formatLogArgs', () => {
  it('joins odd values without throwing', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(formatLogArgs([undefined, null, 1n, cycle, function named() {}])).toBe(
      'undefined null 1 [object Object] [Function named]',
    );
    expect(formatLogArgs([new Error('bad')])).toContain('Error: bad');
  });

  it('truncates long text with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
