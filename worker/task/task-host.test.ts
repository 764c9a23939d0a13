import type { CheckpointAck, TaskTensorCore } from '../../shared/index.js';
import { describe, expect, it } from 'vitest';
import type { LogLevel, TaskLease } from '../../shared/index.js';
import type { TaskHooks } from '../client/client-ports.js';

import { TaskHost } from './task-host.js';
import { relayTaskReply } from './task-relay.js';
import type { TaskOutcome } from './task-runner.js';
import type { TaskWorkerRequest } from './task-worker-messages.js';
import { cpuTensorProvider, type LendOptions, type TensorProvider } from './task-tensor.js';
import { DeviceLostError, TensorCore, createCpuBackend } from '../../shared/tensor/index.js';

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
function channel(
  modules: Record<string, unknown>,
  answer: (state: unknown) => CheckpointAck,
  blobs: Record<string, Uint8Array> = {},
  tensor?: TensorProvider,
) {
  const logs: { level: LogLevel; message: string }[] = [];
  /** Who waits for which lease's outcome. */
  const finished = new Map<string, (outcome: TaskOutcome) => void>();
  const imported: string[] = [];
  const blobsAsked: string[] = [];
  const idled: number[] = [];
  const hooks: TaskHooks = {
    log: (level, message) => logs.push({ level, message }),
    progress: () => {},
    checkpoint: (state) => Promise.resolve(answer(state)),
    blob: (sha256) => {
      blobsAsked.push(sha256);
      const bytes = blobs[sha256];
      return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`no blob ${sha256}`));
    },
    idle: (ms) => idled.push(ms),
    shard: () => Promise.reject(new Error('no shard')),
  };
  const toHost = (request: TaskWorkerRequest): void => queueMicrotask(() => host.receive(structuredClone(request)));
  const host: TaskHost = new TaskHost({
    post: (reply) => {
      const copy = structuredClone(reply);
      queueMicrotask(() => {
        const outcome = relayTaskReply(copy, hooks, toHost);
        if (outcome) finished.get(copy.leaseId)?.(outcome);
      });
    },
    importModule: (source) => {
      imported.push(source);
      return source in modules ? Promise.resolve(modules[source]) : Promise.reject(new SyntaxError('Unexpected token'));
    },
    ...(tensor ? { tensor } : {}),
  });
  const run = (taskLease: TaskLease, source: string, cpuShare?: number): Promise<TaskOutcome> =>
    new Promise((resolve) => {
      finished.set(taskLease.leaseId, resolve);
      toHost({ type: 'run', lease: taskLease, source, ...(cpuShare === undefined ? {} : { cpuShare }) });
    });
  return { run, logs, imported, blobsAsked, idled, host, hooks };
}

/** A WebAssembly module exporting `add(i32, i32) -> i32`, assembled by hand. */
const ADD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32, i32) -> i32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export section: "add" = function 0
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code: local.get 0, local.get 1, i32.add
]);

type WasmCtx = { wasm(ref: unknown, imports?: WebAssembly.Imports): Promise<WebAssembly.Instance>; blob(ref: unknown): Promise<Uint8Array> };

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

  it("reads a blob task's shard through the executor, and fails the task when the executor cannot", async () => {
    const { run, hooks } = channel({ src: { default: (bytes: Uint8Array) => bytes.length } }, () => ({ status: 'stored' }));
    const blobLease: TaskLease = {
      ...lease('l-1', []),
      input: { kind: 'blob', blob: 'c'.repeat(64), offset: 0, length: 3, records: false, separator: '\n' },
    };
    expect(await run(blobLease, 'src')).toMatchObject({ ok: false, error: { message: 'no shard' } });
    hooks.shard = () => Promise.resolve(new Uint8Array([1, 2, 3]));
    expect(await run({ ...blobLease, leaseId: 'l-2' }, 'src')).toEqual({ ok: true, outputs: [3] });
  });

  it('instantiates WebAssembly blobs with ctx.wasm, compiling each module once per worker', async () => {
    const sha = 'e'.repeat(64);
    const module = {
      default: async (x: number, ctx: WasmCtx) => {
        const instance = await ctx.wasm(x % 2 === 0 ? sha : { blob: sha });
        return (instance.exports as { add(a: number, b: number): number }).add(x, 100);
      },
    };
    const { run, blobsAsked } = channel({ src: module }, () => ({ status: 'stored' }), { [sha]: ADD_WASM });
    expect(await run(lease('l-1', [1, 2, 3]), 'src')).toEqual({ ok: true, outputs: [101, 102, 103] });
    expect(await run(lease('l-2', [4]), 'src')).toEqual({ ok: true, outputs: [104] });
    expect(blobsAsked).toEqual([sha]);
  });

  it('answers blob bytes with ctx.blob, and says what is wrong with a bad reference or module', async () => {
    const text = 'f'.repeat(64);
    const module = {
      default: async (ref: unknown, ctx: WasmCtx) => new TextDecoder().decode(await ctx.blob(ref)),
    };
    const blobs = { [text]: new TextEncoder().encode('hello') };
    const { run } = channel({ src: module, wasm: { default: (ref: unknown, ctx: WasmCtx) => ctx.wasm(ref) } }, () => ({ status: 'stored' }), blobs);
    expect(await run(lease('l-1', [{ blob: text }]), 'src')).toEqual({ ok: true, outputs: ['hello'] });
    expect(await run(lease('l-2', ['nope']), 'src')).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a blob reference') as unknown } });
    expect(await run(lease('l-3', ['0'.repeat(64)]), 'src')).toMatchObject({ ok: false, error: { message: `no blob ${'0'.repeat(64)}` } });
    expect(await run(lease('l-4', [text], 'b'.repeat(64)), 'wasm')).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('is not a WebAssembly module') as unknown },
    });
  });

  it("idles between items as the run's CPU share asks, and reports the idle time", async () => {
    const busy = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
    };
    const { run, idled } = channel({ src: { default: (x: number) => (busy(30), x) } }, () => ({ status: 'stored' }));
    expect(await run(lease('l-1', [1, 2, 3]), 'src', 0.5)).toEqual({ ok: true, outputs: [1, 2, 3] });
    // Two pauses (none after the last item), each about as long as an item took.
    expect(idled).toHaveLength(2);
    for (const ms of idled) expect(ms).toBeGreaterThanOrEqual(30);
    expect(await run(lease('l-2', [1, 2]), 'src')).toEqual({ ok: true, outputs: [1, 2] });
    expect(idled).toHaveLength(2);
  });

  it('adds what the Content Security Policy blocked to the log and to the failure', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let fail!: (error: Error) => void;
    const module = {
      default: () =>
        new Promise((_, reject) => {
          fail = reject;
          started();
        }),
    };
    const { run, logs, host } = channel({ src: module }, () => ({ status: 'stored' }));
    const outcome = run(lease('l-1', [1]), 'src');
    await running;
    host.noteBlocked('http://127.0.0.2:9/ (connect-src)');
    fail(new TypeError('Failed to fetch'));
    expect(await outcome).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^Failed to fetch \(blocked by the Content Security Policy .*http:\/\/127\.0\.0\.2:9\/ \(connect-src\)\)$/) as unknown },
    });
    expect(logs).toContainEqual({ level: 'warn', message: 'blocked by the Content Security Policy: http://127.0.0.2:9/ (connect-src)' });
  });

  it('gives tasks ctx.tensor from the provider, and a ranged ctx.blob cut from the blob read once per worker', async () => {
    const sha = 'c'.repeat(64);
    const values = Float32Array.of(1, 2, 3, 4, 5, 6);
    type TensorCtx = { tensor: TaskTensorCore; blob(ref: unknown, range?: { offset: number; length: number }): Promise<Uint8Array> };
    const module = {
      default: async (row: number, ctx: TensorCtx) => {
        const bytes = await ctx.blob(sha, { offset: row * 12, length: 12 });
        const t = ctx.tensor;
        const sums = t.matmul(t.tensor(new Float32Array(bytes.buffer), [1, 3]), t.fill([3, 1], 1));
        return [t.backendName, Array.from(await sums.data())];
      },
    };
    const bytes = new Uint8Array(values.buffer);
    const { run, blobsAsked } = channel({ src: module }, () => ({ status: 'stored' }), { [sha]: bytes }, cpuTensorProvider());
    expect(await run(lease('l-1', [0]), 'src')).toEqual({ ok: true, outputs: [['cpu', [6]]] });
    expect(await run(lease('l-2', [1]), 'src')).toEqual({ ok: true, outputs: [['cpu', [15]]] });
    expect(blobsAsked).toEqual([sha]);
    const outside = { default: (_: unknown, ctx: TensorCtx) => ctx.blob(sha, { offset: 20, length: 8 }) };
    const { run: runOutside } = channel({ src: outside }, () => ({ status: 'stored' }), { [sha]: bytes });
    expect(await runOutside(lease('l-3', [0]), 'src')).toMatchObject({ ok: false, error: { message: expect.stringContaining('past the end of blob') as unknown } });
  });

  it('fails an attempt whose device was lost with DeviceLostError in the message, and lends a new backend to the next', async () => {
    // A device per generation: forcing a loss makes its reads fail; retiring it opens the next.
    const lent: number[] = [];
    const lostDevices = new Set<number>();
    let generation = 0;
    const provider: TensorProvider = {
      ready: () => Promise.resolve(),
      lend: () => {
        const device = generation;
        lent.push(device);
        const backend = createCpuBackend();
        const download = (id: number): Promise<Float32Array> =>
          lostDevices.has(device) ? Promise.reject(new DeviceLostError('webgpu: device lost (destroyed)')) : backend.download(id);
        const core = new TensorCore({ ...backend, download });
        return { core, forceDeviceLoss: () => void lostDevices.add(device), retire: () => void (generation = device + 1) };
      },
    };
    const module = {
      default: async (_: unknown, ctx: { tensor: TaskTensorCore; task: { attempt: number } }) => {
        if (ctx.task.attempt === 1) ctx.tensor.forceDeviceLoss?.();
        return Array.from(await ctx.tensor.tensor([7]).data());
      },
    };
    const { run } = channel({ src: module }, () => ({ status: 'stored' }), {}, provider);
    expect(await run(lease('l-1', [0]), 'src')).toMatchObject({ ok: false, error: { message: 'DeviceLostError: webgpu: device lost (destroyed)' } });
    expect(await run({ ...lease('l-2', [0]), attempt: 2 }, 'src')).toEqual({ ok: true, outputs: [[7]] });
    expect(lent).toEqual([0, 1]);
  });

  it('asks for every thread for a job that wants tensor threads, and for one otherwise', async () => {
    const asked: { ready: LendOptions[]; lend: LendOptions[] } = { ready: [], lend: [] };
    const provider: TensorProvider = {
      ready: (options = {}) => (asked.ready.push(options), Promise.resolve()),
      lend: (options = {}) => (asked.lend.push(options), cpuTensorProvider().lend()),
    };
    const tensorTask = { default: (_: unknown, ctx: { tensor: TaskTensorCore }) => ctx.tensor.backendName };
    const { run } = channel({ 'uses tensor': tensorTask }, () => ({ status: 'stored' }), {}, provider);
    expect(await run(lease('l-1', [0]), 'uses tensor')).toEqual({ ok: true, outputs: ['cpu'] });
    expect(await run({ ...lease('l-2', [0]), tensorThreads: true }, 'uses tensor')).toEqual({ ok: true, outputs: ['cpu'] });
    expect(asked).toEqual({ ready: [{ threads: false }, { threads: true }], lend: [{ threads: false }, { threads: true }] });
  });

  it('neither waits for the choice of backend nor lends a core to a task whose code never names ctx.tensor', async () => {
    let lent = 0;
    let choose!: () => void;
    const chosen = new Promise<void>((resolve) => (choose = resolve));
    let asked!: () => void;
    const readyAsked = new Promise<void>((resolve) => (asked = resolve));
    const provider: TensorProvider = {
      ready: () => (asked(), chosen),
      lend: () => ((lent += 1), cpuTensorProvider().lend()),
    };
    const tensorTask = { default: (_: unknown, ctx: { tensor: TaskTensorCore }) => ctx.tensor.backendName };
    const { run } = channel({ plain: { default: (x: number) => x + 1 }, 'uses tensor': tensorTask }, () => ({ status: 'stored' }), {}, provider);
    expect(await run(lease('l-1', [1]), 'plain')).toEqual({ ok: true, outputs: [2] });
    expect(lent).toBe(0);
    const waiting = run(lease('l-2', [1], 'b'.repeat(64)), 'uses tensor');
    // The host has asked for the choice, and has since run another task to its end: a host that
    // went on without waiting would have lent a core by now.
    await readyAsked;
    expect(await run(lease('l-3', [2]), 'plain')).toEqual({ ok: true, outputs: [3] });
    expect(lent).toBe(0);
    choose();
    expect(await waiting).toEqual({ ok: true, outputs: ['cpu'] });
    expect(lent).toBe(1);
  });
});
