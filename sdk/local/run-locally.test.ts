import { describe, expect, it } from 'vitest';
import { sha256Hex, type JobSpecInput, type LogEntry } from '../../shared/index.js';
import { runLocally } from './run-locally.js';
import { topologicalOrder } from './local-plan.js';

const noBackoff = { maxAttempts: 3, backoff: { initialMs: 0, factor: 1, maxMs: 0 } };

async function run(spec: JobSpecInput, options: Parameters<typeof runLocally>[1] = {}) {
  const job = await runLocally(spec, options);
  const final = await job.wait().catch((error: unknown) => error);
  const results = await collect(job.results());
  const logs = await collect(job.logs());
  return { job, final, results, logs };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const value of iterable) all.push(value);
  return all;
}

const messages = (logs: LogEntry[]): string[] => logs.map((entry) => entry.message);

describe('runLocally', () => {
  it('runs an items job and resolves a handle shaped like a remote Job', async () => {
    const { job, final, results } = await run({ name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2, 3], chunkSize: 2 } });
    expect(job.id).toMatch(/^local_[0-9a-f]{16}$/);
    expect(final).toMatchObject({ id: job.id, name: 'squares', state: 'COMPLETED', runMode: 'local', items: 3, progress: { total: 2, done: 2, failed: 0, running: 0 } });
    expect(results).toEqual([
      { index: 0, output: 1 },
      { index: 1, output: 4 },
      { index: 2, output: 9 },
    ]);
    expect((await job.events()).map((event) => event.to)).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    expect(await job.tasks()).toMatchObject([
      { index: 0, state: 'done', firstItem: 0, itemCount: 2, attempts: 1 },
      { index: 1, state: 'done', firstItem: 2, itemCount: 1, attempts: 1 },
    ]);
    await expect(job.result()).rejects.toThrow(/has no reduce step/);
  });

  it('runs a DAG in topological order, passing predecessors inside and outside a task', async () => {
    const code = `export default (x, ctx) => {
      ctx.log('item ' + ctx.task.itemIndex + ' after ' + JSON.stringify(ctx.predecessors));
      return x + ctx.predecessors.reduce((sum, p) => sum + p.output, 0);
    }`;
    // Tasks of two items: T0 = 0,1; T1 = 2,3; T2 = 4,5. Item 1 waits for 0 (inside T0); items 2 and 3
    // wait for 5 and 4 (in T2), so T2 runs before T1.
    const { final, results, logs } = await run({
      name: 'dag',
      code,
      input: { items: [1, 2, 3, 4, 5, 6], chunkSize: 2 },
      dependencies: [
        [4, 3],
        [0, 1],
        [5, 2],
      ],
    });
    expect(final).toMatchObject({ state: 'COMPLETED' });
    expect(messages(logs)).toEqual([
      'item 0 after []',
      'item 1 after [{"index":0,"output":1}]',
      'item 4 after []',
      'item 5 after []',
      'item 2 after [{"index":5,"output":6}]',
      'item 3 after [{"index":4,"output":5}]',
    ]);
    expect(results.map((result) => result.output)).toEqual([1, 3, 9, 9, 5, 6]);
  });

  it('runs the reduce step last, over every output in index order', async () => {
    const { job, final, results } = await run({
      name: 'sum of squares',
      code: 'export default (x) => x * x',
      input: { items: [1, 2, 3, 4], chunks: 2 },
      reduce: 'export default (outputs) => outputs.reduce((a, b) => a + b, 0)',
    });
    // Two map tasks, as the coordinator counts them: the reduce step apart.
    expect(final).toMatchObject({ state: 'COMPLETED', progress: { total: 2, done: 2, reduce: 'done' } });
    expect(results.map((result) => result.output)).toEqual([1, 4, 9, 16]);
    expect(await job.result()).toBe(30);
  });

  it('retries a failing task up to maxAttempts, resuming from its checkpoint, then fails with its message', async () => {
    const flaky = `export default async (x, ctx) => {
      if (x === 3 && ctx.task.attempt < 3) throw new Error('flaky ' + ctx.task.attempt);
      ctx.log('done ' + x + ' on attempt ' + ctx.task.attempt);
      return x;
    }`;
    const { job, final, logs } = await run({ name: 'flaky', code: flaky, input: { items: [1, 2, 3], chunkSize: 3 }, retry: noBackoff });
    expect(final).toMatchObject({ state: 'COMPLETED' });
    // Items 1 and 2 ran once: attempts 2 and 3 resumed at item 3 from the automatic checkpoint.
    expect(messages(logs)).toEqual([
      'done 1 on attempt 1',
      'done 2 on attempt 1',
      'attempt 1 failed: flaky 1',
      'attempt 2 failed: flaky 2',
      'done 3 on attempt 3',
    ]);
    expect(await job.tasks()).toMatchObject([{ state: 'done', attempts: 3, failures: 2, error: 'flaky 2' }]);

    const broken = await run({ name: 'broken', code: `export default () => { throw new Error('no luck'); }`, input: { items: [1] }, retry: noBackoff });
    expect(broken.final).toMatchObject({ name: 'JobFailedError', state: 'FAILED', message: 'no luck', taskIndex: 0 });
    expect(await broken.job.status()).toMatchObject({ state: 'FAILED', error: { message: 'no luck', taskIndex: 0 }, progress: { failed: 1 } });
  });

  it('keeps user checkpoints in memory for the next attempt, and refuses one over the size limit', async () => {
    const code = `export default async (range, ctx) => {
      const from = ctx.restored?.next ?? range.start;
      ctx.log('attempt ' + ctx.task.attempt + ' starts at ' + from);
      ctx.log('big stored? ' + (await ctx.checkpoint({ next: from, padding: 'x'.repeat(500) })));
      const stored = await ctx.checkpoint({ next: from + 5 });
      if (ctx.task.attempt === 1) throw new Error('crash after ' + stored);
      return from;
    }`;
    const { final, results, logs } = await run(
      { name: 'resume', code, input: { range: { start: 0, end: 10 }, chunks: 1 }, retry: noBackoff },
      { maxCheckpointBytes: 200 },
    );
    expect(final).toMatchObject({ state: 'COMPLETED' });
    expect(results).toEqual([{ index: 0, output: 5 }]);
    expect(messages(logs)).toEqual([
      'attempt 1 starts at 0',
      expect.stringMatching(/^checkpoint refused: checkpoint of \d+ bytes is over the limit of 200 \(413\)/) as unknown,
      'big stored? false',
      'attempt 1 failed: crash after true',
      'attempt 2 starts at 5',
      expect.stringMatching(/^checkpoint refused/) as unknown,
      'big stored? false',
    ]);
  });

  it('runs range tasks once per sub-range, with their task-level dependencies', async () => {
    const code = `export default (range, ctx) => {
      let sum = 0;
      for (let i = range.start; i < range.end; i += range.step) sum += i;
      return sum + ctx.predecessors.reduce((total, p) => total + p.output, 0);
    }`;
    const { results } = await run({ name: 'range', code, input: { range: { start: 0, end: 10, step: 1 }, chunkSize: 4 }, dependencies: [[0, 2]] });
    // Tasks: [0,4) = 6, [4,8) = 22, [8,10) = 17 plus task 0's 6.
    expect(results).toEqual([
      { index: 0, output: 6 },
      { index: 1, output: 22 },
      { index: 2, output: 23 },
    ]);
  });

  it('runs blob shards as bytes or records, with the blob from the map or the fetcher', async () => {
    const text = 'a\nbb\nccc\ndddd\n';
    const bytes = new TextEncoder().encode(text);
    const sha = await sha256Hex(bytes);
    const records = await run(
      { name: 'records', code: 'export default (lines) => lines.map((line) => line.length)', input: { blob: sha, shardRecords: 3 } },
      { blobs: new Map([[sha, bytes]]) },
    );
    expect(records.results).toEqual([
      { index: 0, output: [1, 2, 3] },
      { index: 1, output: [4] },
    ]);

    const fetched: string[] = [];
    const fetchBlob = (wanted: string): Promise<Uint8Array | undefined> => {
      fetched.push(wanted);
      return Promise.resolve(wanted === sha ? bytes : undefined);
    };
    const shards = await run({ name: 'bytes', code: 'export default (shard) => shard.length', input: { blob: sha, shardBytes: 6 } }, { fetchBlob });
    expect(shards.results.map((result) => result.output)).toEqual([6, 6, 2]);
    expect(fetched).toEqual([sha]);

    await expect(runLocally({ name: 'missing', code: 'export default (x) => x', input: { blob: 'f'.repeat(64), shardBytes: 1 } })).rejects.toMatchObject({
      name: 'SpecError',
      issues: [{ path: 'input.blob', message: expect.stringContaining('no blob') as unknown }],
    });
  });

  it("gives task code ctx.wasm and ctx.blob over the job's blobs, as a worker does", async () => {
    // A module exporting add(i32, i32) -> i32.
    const wasm = new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00,
      0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
    ]);
    const sha = await sha256Hex(wasm);
    const code = `export default async (x, ctx) => (await ctx.wasm(${JSON.stringify(sha)})).exports.add(x, (await ctx.blob({ blob: ${JSON.stringify(sha)} })).length)`;
    const { results } = await run({ name: 'wasm', code, input: { items: [1, 2] } }, { blobs: new Map([[sha, wasm]]) });
    expect(results).toEqual([
      { index: 0, output: 1 + wasm.length },
      { index: 1, output: 2 + wasm.length },
    ]);
  });

  it('loads task code from a blob, and rejects specs that cannot run as a SpecError', async () => {
    const source = 'export default (x) => -x';
    const sha = await sha256Hex(source);
    const { results } = await run({ name: 'blob code', code: { blob: sha }, input: { items: [4] } }, { blobs: new Map([[sha, new TextEncoder().encode(source)]]) });
    expect(results).toEqual([{ index: 0, output: -4 }]);

    await expect(runLocally({ name: 'cycle', code: source, input: { items: [1, 2] }, dependencies: [[0, 1], [1, 0]] })).rejects.toMatchObject({
      name: 'SpecError',
    });
    await expect(runLocally({ name: '', code: source, input: { items: [1] } })).rejects.toMatchObject({ name: 'SpecError' });
  });

  it('refuses, as the coordinator does, a spec over the limits before partitioning it', async () => {
    const range = runLocally({ name: 'huge', code: 'export default (x) => x', input: { range: { start: 0, end: 100_000_000 }, chunkSize: 1 } });
    await expect(range).rejects.toMatchObject({ name: 'SpecError', message: expect.stringMatching(/100000000 tasks, over the limit of 100000 \(maxTasks\)/) as unknown });
    let deep: unknown = 1;
    for (let level = 0; level < 100; level++) deep = [deep];
    await expect(runLocally({ name: 'deep', code: 'export default (x) => x', input: { items: [deep] } })).rejects.toMatchObject({
      name: 'SpecError',
      issues: [{ path: expect.stringMatching(/^input\.items\.0/) as unknown, message: 'nested more than 64 deep (limit maxDepth)' }],
    });
  });

  it('fails a task that outlives retry.timeoutMs, and one whose outputs are not JSON', async () => {
    const hang = await run({ name: 'hang', code: 'export default () => new Promise(() => {})', input: { items: [1] }, retry: { ...noBackoff, maxAttempts: 1, timeoutMs: 50 } });
    expect(hang.final).toMatchObject({ state: 'FAILED', message: 'task timed out after 50 ms' });
    const bigint = await run({ name: 'bigint', code: 'export default () => 1n', input: { items: [1] }, retry: { ...noBackoff, maxAttempts: 1 } });
    expect(bigint.final).toMatchObject({ state: 'FAILED', message: expect.stringContaining('not JSON-serialisable') as unknown });
  });

  it('logs everything at debug level when asked, and cancels between tasks', async () => {
    const { logs } = await run({ name: 'debug', code: 'export default (x) => x', input: { items: [7] } }, { debug: true });
    expect(logs.every((entry) => entry.level === 'debug')).toBe(true);
    expect(messages(logs)).toContain('item 0 output: 7');

    const job = await runLocally({ name: 'slow', code: 'export default (x) => new Promise((r) => setTimeout(() => r(x), 30))', input: { items: [1, 2, 3, 4] } });
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await job.cancel()).toMatchObject({ state: 'CANCELLED' });
    await expect(job.wait()).rejects.toMatchObject({ state: 'CANCELLED' });
    expect((await job.tasks()).filter((task) => task.state === 'cancelled').length).toBeGreaterThan(0);
  });
});

describe('topologicalOrder', () => {
  it('puts each task after its predecessors, lowest ready index first', () => {
    expect(topologicalOrder([[], [2], [], [0, 1]])).toEqual([0, 2, 1, 3]);
  });
});

describe('LocalJob like a remote Job', () => {
  it('follows logs and events until the job ends, and pauses between tasks', async () => {
    const code = `export default async (x, ctx) => { await new Promise((r) => setTimeout(r, 20)); ctx.log('did ' + x); return x; }`;
    const job = await runLocally({ name: 'follow', code, input: { items: [1, 2, 3] } });
    const followed: string[] = [];
    const following = (async () => {
      for await (const entry of job.followLogs()) followed.push(entry.message);
    })();
    expect(await job.pause()).toMatchObject({ state: 'PAUSED' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    // The task running when it paused finished; no other started.
    expect((await job.status()).progress.done).toBe(1);
    expect(await job.resume()).toMatchObject({ state: 'RUNNING' });
    await job.wait();
    await following;
    expect(followed).toEqual(['did 1', 'did 2', 'did 3']);
    const transitions: string[] = [];
    for await (const event of job.followEvents()) transitions.push(event.to);
    expect(transitions).toEqual(['PENDING', 'RUNNING', 'PAUSED', 'RUNNING', 'COMPLETED']);
    await expect(job.pause()).rejects.toThrow(/only PENDING or RUNNING/);
  });
});
