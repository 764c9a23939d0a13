import { describe, expect, it } from 'vitest';
import type { LogLevel, TaskLease } from '../shared/index.js';
import type { TaskHooks } from './client-ports.js';
import type { CheckpointAck } from './task-checkpoint.js';
import { TaskHost } from './task-host.js';
import { relayTaskReply } from './task-relay.js';
import type { TaskOutcome } from './task-runner.js';
import type { TaskWorkerRequest } from './task-worker-messages.js';

const lease = (leaseId: string, items: unknown[], code = 'a'.repeat(64)): TaskLease => ({
  type: 'lease',
  leaseId,
  jobId: 'j',
  jobName: 'job',
  taskIndex: 0,
  attempt: 1,
  code,
  input: { kind: 'items', firstItem: 0, items },
});

/** A host and a relay wired to each other in-process, as a Web Worker and its executor are. */
function channel(modules: Record<string, unknown>, answer: (state: unknown) => CheckpointAck) {
  const logs: { level: LogLevel; message: string }[] = [];
  const outcomes = new Map<string, TaskOutcome>();
  const imported: string[] = [];
  const hooks: TaskHooks = {
    log: (level, message) => logs.push({ level, message }),
    progress: () => {},
    checkpoint: (state) => Promise.resolve(answer(state)),
  };
  const toHost = (request: TaskWorkerRequest): void => queueMicrotask(() => host.receive(structuredClone(request)));
  const host: TaskHost = new TaskHost({
    post: (reply) => {
      const copy = structuredClone(reply);
      queueMicrotask(() => {
        const outcome = relayTaskReply(copy, hooks, toHost);
        if (outcome) outcomes.set(copy.leaseId, outcome);
      });
    },
    importModule: (source) => {
      imported.push(source);
      return source in modules ? Promise.resolve(modules[source]) : Promise.reject(new SyntaxError('Unexpected token'));
    },
  });
  const run = async (taskLease: TaskLease, source: string): Promise<TaskOutcome> => {
    toHost({ type: 'run', lease: taskLease, source });
    while (!outcomes.has(taskLease.leaseId)) await new Promise((resolve) => setTimeout(resolve, 1));
    return outcomes.get(taskLease.leaseId)!;
  };
  return { run, logs, imported };
}

describe('TaskHost and relayTaskReply', () => {
  it('runs a lease, passing checkpoints out and their answers back in', async () => {
    const answers: boolean[] = [];
    const module = {
      default: async (item: number, ctx: { checkpoint(state: unknown): Promise<boolean>; log(...args: unknown[]): void }) => {
        answers.push(await ctx.checkpoint({ item }));
        ctx.log('item', item);
        return item * 2;
      },
    };
    const { run, logs } = channel({ src: module }, (state) =>
      (state as { user: { item: number } }).user.item === 2 ? { status: 'refused', reason: 'too big' } : { status: 'stored' },
    );
    expect(await run(lease('l-1', [1, 2]), 'src')).toEqual({ ok: true, outputs: [2, 4] });
    expect(answers).toEqual([true, false]);
    expect(logs.map((line) => line.message)).toEqual(['item 1', 'checkpoint refused: too big; the task goes on', 'item 2']);
  });

  it('loads each module once per SHA-256, and fails a task whose module does not load', async () => {
    const { run, imported } = channel({ src: { default: (x: number) => x + 1 } }, () => ({ status: 'stored' }));
    await run(lease('l-1', [1]), 'src');
    await run(lease('l-2', [2]), 'src');
    expect(imported).toEqual(['src']);
    const failed = await run(lease('l-3', [1], 'b'.repeat(64)), 'broken');
    expect(failed).toMatchObject({ ok: false, error: { message: 'task code did not load: Unexpected token' } });
  });

  it('fails a blob task when it was started without blob access', async () => {
    const { run } = channel({ src: { default: (bytes: Uint8Array) => bytes.length } }, () => ({ status: 'stored' }));
    const blobLease: TaskLease = {
      ...lease('l-1', []),
      input: { kind: 'blob', blob: 'c'.repeat(64), offset: 0, length: 3, records: false, separator: '\n' },
    };
    expect(await run(blobLease, 'src')).toMatchObject({ ok: false, error: { message: expect.stringContaining('without blob access') as unknown } });
  });
});
