import { describe, expect, it } from 'vitest';
import type { JobSpecInput, LogEntry } from '../../shared/index.js';
import { runLocally } from './run-locally.js';

const noBackoff = { maxAttempts: 3, backoff: { initialMs: 0, factor: 1, maxMs: 0 } };
// Long enough that a rank left waiting on a collective would outlive the test's own timeout.
const patientGang = { timeoutMs: 60_000 };

async function run(spec: JobSpecInput) {
  const job = await runLocally(spec);
  const final = await job.wait().catch((error: unknown) => error);
  const results: unknown[] = [];
  for await (const { output } of job.results()) results.push(output);
  const logs: LogEntry[] = [];
  for await (const entry of job.logs()) logs.push(entry);
  return { job, final, results, messages: logs.map((entry) => entry.message) };
}

describe('gang jobs in the local runner', () => {
  it('runs every rank at once with ctx.comm; the output is resultRank’s', async () => {
    const code = `export default async (item, ctx) => {
      const summed = await ctx.comm.allReduce(Float32Array.of(ctx.rank, item * (ctx.rank + 1)), 'sum');
      return { rank: ctx.rank, size: ctx.size, sum: Array.from(summed) };
    }`;
    const { final, results } = await run({ name: 'allreduce', code, input: { items: [10, 20] }, gang: { size: 3, resultRank: 2, ...patientGang } });
    expect(final).toMatchObject({ state: 'COMPLETED', progress: { total: 2, done: 2 } });
    expect(results).toEqual([
      { rank: 2, size: 3, sum: [3, 60] },
      { rank: 2, size: 3, sum: [3, 120] },
    ]);
  });

  it('gives each rank its own ctx.tensor, and tensors through ctx.comm come back on it', async () => {
    const code = `export default async (item, ctx) => {
      const mine = ctx.tensor.tensor([ctx.rank, 1], [2]);
      const summed = await ctx.comm.allReduce(mine, 'sum');
      return { shape: summed.shape, values: Array.from(await summed.data()) };
    }`;
    const { results } = await run({ name: 'tensors', code, input: { items: [0] }, gang: { size: 4, ...patientGang } });
    expect(results).toEqual([{ shape: [2], values: [6, 4] }]);
  });

  it('runs an elastic gang at its largest size', async () => {
    const code = 'export default async (item, ctx) => (await ctx.comm.allGather(ctx.rank)).length';
    const { results } = await run({ name: 'elastic', code, input: { items: [0] }, runMode: 'elastic', gang: { min: 2, max: 3, ...patientGang } });
    expect(results).toEqual([3]);
  });

  it('retries the whole gang from the checkpoint a rank stored before it threw', async () => {
    const code = `export default async (item, ctx) => {
      if (ctx.rank === 1 && ctx.task.attempt === 1) {
        await ctx.checkpoint({ from: 100 });
        throw new Error('rank 1 broke');
      }
      const start = ctx.restored?.from ?? 0;
      const summed = await ctx.comm.allReduce(Float32Array.of(start + ctx.rank), 'sum');
      return { attempt: ctx.task.attempt, restored: ctx.restored ?? null, sum: summed[0] };
    }`;
    const { job, final, results, messages } = await run({ name: 'flaky gang', code, input: { items: [0] }, retry: noBackoff, gang: { size: 3, ...patientGang } });
    expect(final).toMatchObject({ state: 'COMPLETED' });
    expect(results).toEqual([{ attempt: 2, restored: { from: 100 }, sum: 303 }]);
    expect(await job.tasks()).toMatchObject([{ state: 'done', attempts: 2, failures: 1, error: 'rank 1 broke' }]);
    expect(messages).toEqual(['rank 1 of 3 failed: rank 1 broke', 'attempt 1 failed: rank 1 broke']);
  });

  // With a 60 s gang timeout, ranks left waiting would fail this test by its own, far shorter, timeout.
  it('fails the attempt with the throwing rank’s error, the others released from their collectives', async () => {
    const code = `export default async (item, ctx) => {
      if (ctx.rank === 2) throw new Error('boom');
      await ctx.comm.barrier();
      return 'never';
    }`;
    const { final, job } = await run({ name: 'boom', code, input: { items: [0] }, retry: { ...noBackoff, maxAttempts: 2 }, gang: { size: 4, ...patientGang } });
    expect(final).toMatchObject({ name: 'JobFailedError', state: 'FAILED', message: 'boom', taskIndex: 0 });
    expect(await job.tasks()).toMatchObject([{ state: 'failed', attempts: 2, error: 'boom' }]);
  });

  it('prefers a rank’s own failure to a timeout that came first', async () => {
    // Rank 0's barrier times out (a gang cause) while rank 3 is still busy; rank 3 then fails on its own.
    const code = `export default async (item, ctx) => {
      if (ctx.rank === 3) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        throw new Error('rank 3 ran out of data');
      }
      await ctx.comm.barrier({ timeoutMs: ctx.rank === 0 ? 20 : 60000 });
      return 'never';
    }`;
    const { final } = await run({ name: 'own failure', code, input: { items: [0] }, retry: { ...noBackoff, maxAttempts: 1 }, gang: { size: 4, ...patientGang } });
    expect(final).toMatchObject({ state: 'FAILED', message: 'rank 3 ran out of data' });
  });
});
