import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoordinator, type Coordinator } from '../coordinator/index.js';
import type { LogEntry } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import { nodeCapabilities } from './capabilities.js';
import { parseJoinUrl, startNodeWorker, type NodeWorker } from './node-worker.js';

describe('parseJoinUrl and nodeCapabilities', () => {
  it('reads origin, token and debug from a join URL, and refuses anything else', () => {
    expect(parseJoinUrl('http://127.0.0.1:8080/join?token=abc&debug=1')).toEqual({ origin: 'http://127.0.0.1:8080', token: 'abc', debug: true });
    expect(parseJoinUrl('https://grid.example/join?token=x')).toMatchObject({ origin: 'https://grid.example', debug: false });
    expect(() => parseJoinUrl('http://127.0.0.1:8080/join')).toThrow(/not a join URL/);
    expect(() => parseJoinUrl('nonsense')).toThrow(/not a join URL/);
  });

  it('reports a node runtime without WebGPU', () => {
    const capabilities = nodeCapabilities(true);
    expect(capabilities).toMatchObject({ runtime: 'node', webgpu: null, debug: true, userAgent: `node/${process.versions.node} tabgrid-worker` });
    expect(capabilities.hardwareConcurrency).toBeGreaterThan(0);
    expect(capabilities.deviceMemory).toBeGreaterThan(0);
  });
});

/** Resolves once the worker's client is welcomed: on its state event, not on a poll. */
function connected(worker: NodeWorker): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (worker.client.snapshot().connection !== 'connected') return;
      stop();
      resolve();
    };
    const stop = worker.client.subscribe(check);
    check();
  });
}

describe('a Node worker joined to a real coordinator', () => {
  let dataDir: string;
  let coordinator: Coordinator;
  let worker: NodeWorker;
  let grid: Tabgrid;
  const noBackoff = { backoff: { initialMs: 0, factor: 1, maxMs: 0 } };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tabgrid-node-worker-'));
    coordinator = await startCoordinator({ dataDir, port: 0, adminToken: 'admin', maxCheckpointBytes: 400 });
    worker = startNodeWorker({ joinUrl: coordinator.joinUrl, concurrency: 2 });
    grid = new Tabgrid({ url: coordinator.url, token: 'admin', pollIntervalMs: 50 });
    await connected(worker);
  });
  afterAll(async () => {
    await worker.stop();
    await coordinator.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const messages = async (jobId: string): Promise<string[]> => {
    const lines: LogEntry[] = [];
    for await (const entry of grid.job(jobId).logs()) lines.push(entry);
    return lines.map((entry) => entry.message);
  };
  const outputs = async (jobId: string): Promise<unknown[]> => {
    const all: unknown[] = [];
    for await (const { output } of grid.job(jobId).results()) all.push(output);
    return all;
  };

  it('joins as a node worker', async () => {
    const [joined] = await grid.workers();
    expect(joined).toMatchObject({ id: worker.client.snapshot().workerId, capabilities: { runtime: 'node', webgpu: null } });
  });

  it('resumes a failed attempt after the items its checkpoint says are done; a refused checkpoint only warns', async () => {
    const code = `export default async (x, ctx) => {
      if (x === 0) ctx.log('big stored? ' + (await ctx.checkpoint('x'.repeat(1000))));
      if (x === 3 && ctx.task.attempt === 1) throw new Error('crash at 3');
      ctx.log('done ' + x + ' attempt ' + ctx.task.attempt);
      return x * 10;
    }`;
    const job = await grid.submit({ name: 'resume', code, input: { items: [0, 1, 2, 3, 4], chunkSize: 5 }, retry: noBackoff });
    expect((await job.wait({ timeoutMs: 30_000 })).state).toBe('COMPLETED');
    expect(await outputs(job.id)).toEqual([0, 10, 20, 30, 40]);
    const logs = await messages(job.id);
    expect(logs.filter((line) => line.startsWith('done'))).toEqual(['done 0 attempt 1', 'done 1 attempt 1', 'done 2 attempt 1', 'done 3 attempt 2', 'done 4 attempt 2']);
    expect(logs).toContain('big stored? false');
    expect(logs.some((line) => /^checkpoint refused: checkpoint of \d+ bytes is over the limit of 400 \(413\)/.test(line))).toBe(true);
  });

  it('runs blob shards, range tasks and a reduce step', async () => {
    const blob = await grid.putBlob('apple\nbanana\ncherry\n');
    const records = await grid.submit({ name: 'records', code: 'export default (lines) => lines.join(",")', input: { blob, shardRecords: 2 } });
    await records.wait({ timeoutMs: 30_000 });
    expect(await outputs(records.id)).toEqual(['apple,banana', 'cherry']);

    const code = 'export default ({ start, end }) => { let s = 0; for (let i = start; i < end; i++) s += i; return s; }';
    const sum = await grid.submit({
      name: 'sum',
      code,
      input: { range: { start: 0, end: 100 }, chunks: 4 },
      reduce: 'export default (parts) => parts.reduce((a, b) => a + b, 0)',
    });
    await sum.wait({ timeoutMs: 30_000 });
    expect(await sum.result()).toBe(4950);
  });

  it('instantiates a WebAssembly blob with ctx.wasm and reads blobs with ctx.blob, through its in-memory cache', async () => {
    // A module exporting add(i32, i32) -> i32.
    const wasm = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00,
      0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
    ]);
    const sha = await grid.putBlob(wasm);
    const greeting = await grid.putBlob('hello from a blob');
    const code = `export default async (x, ctx) => {
      const { exports } = await ctx.wasm({ blob: ${JSON.stringify(sha)} });
      const text = new TextDecoder().decode(await ctx.blob(${JSON.stringify(greeting)}));
      return exports.add(x, 10) + ' ' + text;
    }`;
    const job = await grid.submit({ name: 'wasm', code, input: { items: [1, 2, 3], chunkSize: 1 } });
    expect((await job.wait({ timeoutMs: 30_000 })).state).toBe('COMPLETED');
    expect(await outputs(job.id)).toEqual(['11 hello from a blob', '12 hello from a blob', '13 hello from a blob']);
  });

  it('fails an attempt that outlives retry.timeoutMs', async () => {
    const job = await grid.submit({
      name: 'hang',
      code: 'export default () => { for (;;) {} }',
      input: { items: [1] },
      retry: { ...noBackoff, maxAttempts: 1, distinctWorkers: 1, timeoutMs: 300 },
    });
    await expect(job.wait({ timeoutMs: 30_000 })).rejects.toMatchObject({ name: 'JobFailedError', message: expect.stringContaining('timed out after 300 ms') as unknown });
    // The worker is free again: the next job runs.
    const next = await grid.submit({ name: 'after', code: 'export default (x) => x', input: { items: [7] } });
    expect((await next.wait({ timeoutMs: 30_000 })).state).toBe('COMPLETED');
  });

  it('takes a whole gang of 2 in its threads (a node worker has no WebRTC), whose ranks talk in-process', async () => {
    const code = `export default async (n, ctx) => {
      const summed = await ctx.comm.allReduce(new Float32Array(n).fill(ctx.rank + 1), 'sum');
      return { rank: ctx.rank, size: ctx.size, sum: summed[n - 1] };
    }`;
    const job = await grid.submit({ name: 'gang', code, input: { items: [100_000] }, gang: { size: 2, resultRank: 1 } });
    expect((await job.wait({ timeoutMs: 30_000 })).state).toBe('COMPLETED');
    expect(await outputs(job.id)).toEqual([{ rank: 1, size: 2, sum: 3 }]);
  });

  it('runs one task per core when not told how many', async () => {
    const defaulted = startNodeWorker({ joinUrl: coordinator.joinUrl });
    try {
      expect(defaulted.client.snapshot().concurrency).toBe(availableParallelism());
    } finally {
      await defaulted.stop();
    }
  });
});
