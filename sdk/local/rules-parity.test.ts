import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, openSqliteStore, type Store } from '../../coordinator/index.js';
import { JobSpec, isTerminal, sha256Hex, type JobError, type JobSpecInput, type TaskLease } from '../../shared/index.js';
import { runLocally } from './run-locally.js';

// The local runner and the coordinator's scheduler apply one set of job rules (shared/job-rules):
// the same failures, in the same order, must end a job the same way in both. Each side runs the
// same script: item x throws on its first FAILS[x] attempts.

const FAILS: Record<number, number> = { 1: 2, 2: 0 };
const SCRIPT = `const FAILS = ${JSON.stringify(FAILS)};
export default (x, ctx) => {
  if (ctx.task.attempt <= FAILS[x]) throw new Error('item ' + x + ' failed on attempt ' + ctx.task.attempt);
  return x * 10;
}`;

/** Two tasks, the second waiting for the first, retried at once (no backoff to wait out). */
function specWith(maxAttempts: number): JobSpecInput {
  return {
    name: 'parity',
    code: SCRIPT,
    input: { items: [1, 2], chunkSize: 1 },
    dependencies: [[0, 1]],
    // One worker on each side: its failures fail the job (the local runner trusts its own process).
    retry: { maxAttempts, backoff: { initialMs: 0 }, distinctWorkers: 1 },
  };
}

/** How a job ended, in terms both sides speak. */
interface Ending {
  state: string;
  error: Pick<JobError, 'message' | 'taskIndex'> | undefined;
  reason: string | undefined;
  tasks: { index: number; state: string; attempts: number; failures: number; lapses: number; error: string | null }[];
}

async function endLocally(spec: JobSpecInput): Promise<Ending> {
  const job = await runLocally(spec);
  await job.wait().catch(() => undefined);
  const status = await job.status();
  const tasks = await job.tasks();
  return {
    state: status.state,
    error: status.error && { message: status.error.message, taskIndex: status.error.taskIndex },
    reason: (await job.events()).at(-1)?.reason,
    tasks: tasks.map(({ index, state, attempts, failures, lapses, error }) => ({ index, state, attempts, failures, lapses, error })),
  };
}

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** Runs the spec on a real scheduler (SQLite in memory), one worker playing the script, lease by lease. */
async function endOnCoordinator(input: JobSpecInput): Promise<Ending> {
  const store = await openSqliteStore(':memory:');
  stores.push(store);
  const scheduler = await Scheduler.open(store, { leaseMs: 30_000, disconnectGraceMs: 5_000 });
  const spec = JobSpec.parse(input);
  const code = new TextEncoder().encode(SCRIPT);
  const sha = await sha256Hex(code);
  await store.putBlob(sha, code);
  const { id } = await scheduler.submit({ ...spec, code: { blob: sha } }, sha);
  const worker = { id: 'w_1', capabilities: { runtime: 'node', webgpu: null, userAgent: 'vitest' } } as const;
  for (let turn = 0; turn < 20; turn++) {
    const job = await store.getJob(id);
    if (!job || isTerminal(job.state)) break;
    const lease = await scheduler.leaseNext(worker);
    if (!lease) throw new Error(`nothing to lease while the job is ${job.state}`);
    const item = itemOf(lease);
    if (lease.attempt <= (FAILS[item] ?? 0)) await scheduler.fail(worker.id, lease.leaseId, { message: `item ${item} failed on attempt ${lease.attempt}` });
    else await scheduler.complete(worker.id, lease.leaseId, [item * 10]);
  }
  await scheduler.close();
  const job = await store.getJob(id);
  const tasks = await store.listTasks(id);
  return {
    state: job?.state ?? 'missing',
    error: job?.error ? { message: job.error.message, taskIndex: job.error.taskIndex } : undefined,
    reason: (await store.listJobEvents(id)).at(-1)?.reason,
    tasks: tasks.map(({ index, state, attempts, failures, lapses, error }) => ({ index, state, attempts, failures, lapses, error })),
  };
}

function itemOf(lease: TaskLease): number {
  if (lease.input.kind !== 'items') throw new Error(`an items lease was expected, not ${lease.input.kind}`);
  return lease.input.items[0] as number;
}

describe('the local runner and the scheduler judge failures alike', () => {
  it('complete a task that throws twice with maxAttempts 3', async () => {
    const local = await endLocally(specWith(3));
    expect(local).toEqual(await endOnCoordinator(specWith(3)));
    expect(local).toMatchObject({
      state: 'COMPLETED',
      error: undefined,
      tasks: [
        { index: 0, state: 'done', attempts: 3, failures: 2, lapses: 0, error: 'item 1 failed on attempt 2' },
        { index: 1, state: 'done', attempts: 1, failures: 0, lapses: 0, error: null },
      ],
    });
  });

  it('fail the job with the task index and message at maxAttempts 2, cancelling the task that waited', async () => {
    const local = await endLocally(specWith(2));
    expect(local).toEqual(await endOnCoordinator(specWith(2)));
    expect(local).toEqual({
      state: 'FAILED',
      error: { message: 'item 1 failed on attempt 2', taskIndex: 0 },
      reason: 'task 0 failed 2 times: item 1 failed on attempt 2',
      tasks: [
        { index: 0, state: 'failed', attempts: 2, failures: 2, lapses: 0, error: 'item 1 failed on attempt 2' },
        { index: 1, state: 'cancelled', attempts: 0, failures: 0, lapses: 0, error: null },
      ],
    });
  });
});
