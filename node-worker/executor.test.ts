import type { CheckpointAck } from '../shared/index.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogLevel, TaskInput, TaskLease } from '../shared/index.js';
import { httpShardReader, WorkerClient, type TaskHooks } from '../worker/index.js';
import { FakeSocketServer, rejection } from '../worker/testing.js';
import { NodeExecutor } from './executor.js';

function lease(leaseId: string, input: TaskInput, overrides: Partial<TaskLease> = {}): TaskLease {
  return { type: 'lease', leaseId, jobId: 'j', jobName: 'job', taskIndex: 0, attempt: 1, code: Buffer.from(leaseId).toString('hex').padEnd(64, '0'), input, ...overrides };
}

function recordingHooks(answer: CheckpointAck = { status: 'stored' }) {
  const logs: { level: LogLevel; message: string }[] = [];
  const checkpoints: unknown[] = [];
  const logWaiters: { count: number; wake(): void }[] = [];
  /** Resolves once `count` lines have been logged: a thread's start takes seconds on a busy machine. */
  const logged = (count: number): Promise<void> =>
    logs.length >= count ? Promise.resolve() : new Promise((wake) => logWaiters.push({ count, wake }));
  const hooks: TaskHooks = {
    log: (level, message) => {
      logs.push({ level, message });
      for (const waiter of logWaiters.splice(0)) {
        if (logs.length >= waiter.count) waiter.wake();
        else logWaiters.push(waiter);
      }
    },
    progress: () => {},
    checkpoint: (state) => {
      checkpoints.push(state);
      return Promise.resolve(answer);
    },
    blob: (sha256) => Promise.reject(new Error(`no blob ${sha256}`)),
    idle: () => {},
    shard: () => Promise.reject(new Error('no shard')),
  };
  return { hooks, logs, checkpoints, logged };
}

const items = (values: unknown[]): TaskInput => ({ kind: 'items', firstItem: 0, items: values });

describe('NodeExecutor (real worker threads)', () => {
  let executor: NodeExecutor;
  afterEach(async () => {
    await executor.close();
  });

  it('runs a module in a thread with the task runtime: outputs, logs and checkpoints', async () => {
    executor = new NodeExecutor();
    const { hooks, logs, checkpoints } = recordingHooks();
    const source = `
      import { isMainThread } from 'node:worker_threads';
      export default async (x, ctx) => {
        ctx.log('main thread?', isMainThread);
        if (x === 2) ctx.log('stored:', await ctx.checkpoint({ at: x }));
        return x * x;
      };`;
    expect(await executor.run(lease('l-1', items([1, 2, 3])), source, hooks)).toEqual([1, 4, 9]);
    expect(logs.map((line) => line.message)).toEqual(['main thread? false', 'main thread? false', 'stored: true', 'main thread? false']);
    expect(checkpoints).toEqual([
      { items: { done: 1, outputs: [1] } },
      { items: { done: 1, outputs: [1] }, user: { at: 2 } },
      { items: { done: 2, outputs: [1, 4] }, user: { at: 2 } },
    ]);
  });

  it("never runs a job's task in a thread another job's code ran in; reuses a thread for its own job", async () => {
    executor = new NodeExecutor({ keepIdle: 2 });
    const { hooks } = recordingHooks();
    // Task code that leaves a mark in its thread, and reports the marks it finds.
    const source = `export default (job) => { const seen = globalThis.marks ?? []; globalThis.marks = [...seen, job]; return seen.join(',') || 'fresh'; };`;
    expect(await executor.run(lease('l-1', items(['a']), { jobId: 'job_a' }), source, hooks)).toEqual(['fresh']);
    expect(await executor.run(lease('l-2', items(['b']), { jobId: 'job_b' }), source, hooks)).toEqual(['fresh']);
    expect(await executor.run(lease('l-3', items(['a']), { jobId: 'job_a' }), source, hooks)).toEqual(['a']);
    expect(await executor.run(lease('l-4', items(['b']), { jobId: 'job_b' }), source, hooks)).toEqual(['b']);
  });

  it("gives task code neither the process's environment nor its arguments", async () => {
    executor = new NodeExecutor();
    const { hooks } = recordingHooks();
    process.env.TABGRID_TEST_SECRET = 'not for task code';
    try {
      const source = `export default () => ({ env: process.env.TABGRID_TEST_SECRET ?? null, argv: process.argv.slice(2) })`;
      expect(await executor.run(lease('l-1', items([0])), source, hooks)).toEqual([{ env: null, argv: [] }]);
    } finally {
      delete process.env.TABGRID_TEST_SECRET;
    }
  });

  it('gives task code ctx.tensor, the CPU reference tensor core', async () => {
    executor = new NodeExecutor();
    const { hooks } = recordingHooks();
    const source = `
      export default async (n, ctx) => {
        const t = ctx.tensor;
        const c = t.matmul(t.tensor([1, 2, 3, 4], [2, 2]), t.fill([2, 1], n));
        return [t.backendName, Array.from(await c.data()), typeof t.forceDeviceLoss];
      };`;
    expect(await executor.run(lease('l-1', items([2])), source, hooks)).toEqual([['cpu', [6, 14], 'undefined']]);
  });

  it("rejects with the task's error, and with a clear one for code that does not load", async () => {
    executor = new NodeExecutor();
    const { hooks } = recordingHooks();
    await expect(executor.run(lease('l-1', items([1])), `export default () => { throw new RangeError('nope'); }`, hooks)).rejects.toMatchObject({
      name: 'TaskFailedError',
      message: 'nope',
    });
    await expect(executor.run(lease('l-2', items([1])), 'export default (', hooks)).rejects.toMatchObject({
      message: expect.stringMatching(/^task code did not load/) as unknown,
    });
    await expect(executor.run(lease('l-3', items([1])), 'export const x = 1;', hooks)).rejects.toMatchObject({
      message: expect.stringContaining('default export') as unknown,
    });
  });

  it('terminates the thread of an aborted task, even one stuck in a loop, and runs the next in a fresh one', async () => {
    executor = new NodeExecutor();
    const { hooks, logs, logged } = recordingHooks();
    // Handled from the start: should the test fail before the abort, closing the executor rejects it.
    const stuck = rejection(executor.run(lease('l-1', items([1])), `export default (x, ctx) => { ctx.log('looping'); for (;;) {} }`, hooks));
    await logged(1);
    expect(logs.map((line) => line.message)).toEqual(['looping']);
    executor.abort('l-1');
    expect(await stuck).toMatchObject({ name: 'TaskAbortedError' });
    expect(await executor.run(lease('l-2', items([5])), 'export default (x) => x + 1', hooks)).toEqual([6]);
  });

  it('fails a task whose thread dies of an uncaught error', async () => {
    executor = new NodeExecutor();
    const { hooks } = recordingHooks();
    const source = `export default () => new Promise(() => { setTimeout(() => { throw new Error('late boom'); }, 1); })`;
    await expect(executor.run(lease('l-1', items([1])), source, hooks)).rejects.toMatchObject({
      message: expect.stringContaining('late boom') as unknown,
    });
  });

  it('is timed out by the client: the thread is terminated and the task reported failed', async () => {
    executor = new NodeExecutor();
    const server = new FakeSocketServer();
    const client = new WorkerClient({
      url: 'ws://coordinator.test/api/v1/worker?token=t',
      connect: server.connect,
      executor,
      fetchCode: () => Promise.resolve('export default () => { for (;;) {} }'),
      capabilities: { runtime: 'node', webgpu: null, userAgent: 'vitest' },
    });
    client.start();
    const socket = server.latest;
    socket.open();
    socket.receive({ type: 'welcome', workerId: 'w-1', heartbeatMs: 0, leaseMs: 5000, kept: [] });
    socket.receive(lease('l-1', items([1]), { timeoutMs: 300 }));
    await socket.waitForSent('fail');
    expect(socket.sentOfType('fail')).toEqual([{ type: 'fail', leaseId: 'l-1', error: { message: 'task timed out after 300 ms' } }]);
    expect(client.snapshot().tasks).toEqual([]);
    client.stop();
  });
});

describe('NodeExecutor blob tasks', () => {
  let server: Server;
  let origin: string;
  const ranges: (string | undefined)[] = [];
  beforeAll(async () => {
    const blob = Buffer.from('one\ntwo\nthree\n');
    server = createServer((request, response) => {
      ranges.push(request.headers.range);
      const [, from, to] = /bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '') ?? [];
      response.writeHead(206).end(blob.subarray(Number(from), Number(to) + 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("asks the executor's side for the shard (the thread holds no token), downloaded with a Range request, and passes its records", async () => {
    const executor = new NodeExecutor();
    const { hooks } = recordingHooks();
    const shard = { kind: 'blob', blob: 'd'.repeat(64), offset: 4, length: 10, records: true, separator: '\n' } as const;
    hooks.shard = () => httpShardReader({ origin, token: 't' })(shard);
    try {
      expect(await executor.run(lease('l-1', shard), 'export default (records) => records.join("+")', hooks)).toEqual(['two+three']);
      expect(ranges).toEqual(['bytes=4-13']);
    } finally {
      await executor.close();
    }
  });
});
