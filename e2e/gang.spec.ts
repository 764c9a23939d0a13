import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { ItemResult, LogEntry, TaskStatus } from '../shared/index.js';
import { compareLosses, DEMO_CONFIG, LOSS_TOLERANCE, readTrainSource, trainInOneProcess } from '../examples/train-mlp/reference.js';
import type { TrainResult } from '../examples/train-mlp/train.js';
import { pipeline, Tabgrid } from '../sdk/index.js';
import { getJson, getLines } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { readJoinPage } from './tabs.js';

/**
 * Gangs through a real coordinator: tabs leased one task together, talking over WebRTC data
 * channels brokered by the coordinator's PeerJS server, with `ctx.comm` in their task workers.
 */

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });
const taskSource = (name: string): string => readFileSync(new URL(`./gang-tasks/${name}`, import.meta.url), 'utf8');

/** 64 KiB messages carry (65 536 − 32) / 4 floats; 4 × that fills each of 4 ring segments with exactly one chunk. */
const CHUNK_FLOATS = (65_536 - 32) / 4;

test('4 tabs: every collective of ctx.comm gives the exact values, for sizes that do and do not divide by the chunk', async ({ coordinator, joinTabs }) => {
  test.setTimeout(180_000);
  await joinTabs(4);
  const lengths = [7, 4 * CHUNK_FLOATS, 3 * 4 * CHUNK_FLOATS + 5];
  const job = await grid(coordinator).submit({
    name: 'collectives',
    code: taskSource('collectives.js'),
    input: { items: [lengths] },
    gang: { size: 4, timeoutMs: 60_000 },
    retry: { maxAttempts: 1 },
  });
  await job.wait({ timeoutMs: 150_000 });
  const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
  const reports = result!.output as { rank: number; size: number; checks: Record<string, number> }[];
  expect(reports.map((report) => [report.rank, report.size])).toEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);
  for (const report of reports) {
    // 3 lengths × 10 checks + tensor + 2 JSON checks; every one -1 ("no mismatch").
    expect(Object.keys(report.checks)).toHaveLength(33);
    const wrong = Object.entries(report.checks).filter(([, at]) => at !== -1);
    expect(wrong, `rank ${report.rank}: mismatches at`).toEqual([]);
  }
  // Four distinct workers held the gang's task.
  const logs = await getLines<LogEntry>(coordinator, `/jobs/${job.id}/logs`);
  expect(new Set(logs.filter((line) => /^\[rank \d\] rank \d of 4$/.test(line.message)).map((line) => line.workerId)).size).toBe(4);
});

test('a member tab closed mid-allReduce: the others fail at once, and a new gang finishes from the last checkpoint', async ({ coordinator, joinTabs }) => {
  test.setTimeout(240_000);
  // Three for the gang and one more, for the retried gang once a member's tab is gone.
  const tabs = await joinTabs(4);
  const job = await grid(coordinator).submit({
    name: 'steps',
    code: taskSource('steps.js'),
    input: { items: [{ steps: 8, floats: 1 << 17, stallRank: 2, stallStep: 4 }] },
    gang: { size: 3, timeoutMs: 120_000 },
    retry: { maxAttempts: 3, backoff: { initialMs: 500, factor: 1, maxMs: 500 } },
  });

  // Attempt 1's rank 2 says it is about to enter step 4's allReduce: close its tab.
  const stalled = await waitForLog(coordinator, job.id, (line) => line.message === '[rank 2] attempt 1 rank 2 entering step 4');
  const victim = await tabOf(tabs, stalled.workerId!);
  const closedAt = Date.now();
  await victim.context().close();

  await job.wait({ timeoutMs: 200_000 });
  const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
  const output = result!.output as { attempt: number; resumedFrom: number; sums: number[] };
  expect(output.attempt).toBeGreaterThanOrEqual(2);
  // Rank 0 checkpoints after every step: steps 0..3 were done by attempt 1.
  expect(output.resumedFrom).toBe(4);
  // Each step's sum over 3 ranks of (rank + 1) · (step + 1) is 6 · (step + 1), whoever computed it.
  expect(output.sums).toEqual([6, 12, 18, 24, 30, 36, 42, 48]);

  const logs = await getLines<LogEntry>(coordinator, `/jobs/${job.id}/logs`);
  const failures = logs.filter((line) => /attempt 1 rank [01] failed/.test(line.message));
  expect(failures.length).toBeGreaterThan(0);
  for (const failure of failures) expect(failure.message).toMatch(/PeerLostError|rank 2 is lost/);
  // They failed because the link went down, well before the 120 s collective timeout.
  const firstFailure = Math.min(...failures.map((line) => Date.parse(line.time)));
  expect(firstFailure - closedAt).toBeLessThan(60_000);
  const [task] = (await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`)).tasks;
  expect(task!.state).toBe('done');
  const events = await job.events();
  expect(events.map((event) => event.to)).toContain('COMPLETED');
  // The gang's first attempt failed as a whole (one failure), the second completed.
  expect(task!.failures).toBe(1);
});

test('an elastic gang goes on with the ranks left when a tab closes, and takes in a new tab at a checkpoint', async ({ coordinator, joinTabs }) => {
  test.setTimeout(180_000);
  const tabs = await joinTabs(3);
  const job = await grid(coordinator).submit({
    name: 'elastic',
    code: taskSource('elastic.js'),
    input: { items: [{ steps: 60, stepMs: 200 }] },
    runMode: 'elastic',
    gang: { min: 2, max: 3, timeoutMs: 60_000, rendezvousMs: 2000 },
    retry: { maxAttempts: 1 },
  });
  // The gang of `ranks` formed by an attempt after `after`. Closing a tab may re-form the gang
  // twice (a rank reports the lost peer before the closed tab's lease lapses), so the attempts
  // are counted from what was seen, not assumed.
  const formed = (ranks: number, after: number) => (line: LogEntry) => {
    const match = /^\[rank 0\] attempt (\d+): rank 0 of (\d+) from step/.exec(line.message);
    return match !== null && Number(match[2]) === ranks && Number(match[1]) > after;
  };
  const attemptOf = (line: LogEntry) => Number(/attempt (\d+)/.exec(line.message)![1]);
  const doneBy = (ranks: number) => (line: LogEntry) => new RegExp(`^\\[rank 0\\] step \\d+ done by ${ranks}$`).test(line.message);
  const first = await waitForLog(coordinator, job.id, formed(3, 0));
  const member = await waitForLog(coordinator, job.id, (line) => /^\[rank 1\] attempt 1: rank 1 of 3/.test(line.message));
  await waitForLog(coordinator, job.id, doneBy(3));
  await (await tabOf(tabs, member.workerId!)).context().close();
  // The two left go on from the last checkpoint, without a failure counted (maxAttempts is 1).
  const shrunk = await waitForLog(coordinator, job.id, formed(2, attemptOf(first)));
  await waitForLog(coordinator, job.id, doneBy(2));
  await joinTabs(1);
  // The new tab joins at the next checkpoint: the gang re-forms with three ranks.
  await waitForLog(coordinator, job.id, formed(3, attemptOf(shrunk)));
  await job.wait({ timeoutMs: 120_000 });

  const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
  const { sizes } = result!.output as { sizes: number[] };
  expect(sizes).toHaveLength(60);
  // Three ranks, then two, then three again: every step was taken once, by the gang of its time.
  const runs = sizes.filter((size, step) => step === 0 || size !== sizes[step - 1]);
  expect(runs).toEqual([3, 2, 3]);
  const [task] = (await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`)).tasks;
  expect(task!.failures).toBe(0);
  // One loss a re-forming: closing the tab cost the attempts between the gang of three and the
  // gang of two (one, or two when the gang re-formed once before the closed tab's lease lapsed).
  expect(task!.lapses).toBeGreaterThanOrEqual(1);
  expect(task!.lapses).toBeLessThanOrEqual(attemptOf(shrunk) - attemptOf(first));
  const logs = await getLines<LogEntry>(coordinator, `/jobs/${job.id}/logs`);
  expect(logs.map((line) => line.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^gang re-forming at checkpoint to add 1 worker/)]));
});

test('the master/worker pipeline: the master broadcasts, the workers compute on their tabs, the master gathers', async ({ coordinator, joinTabs }) => {
  test.setTimeout(120_000);
  await joinTabs(3);
  const spec = pipeline({ name: 'pipeline', size: 3, items: [{ n: 4, scale: 0.5 }, { n: 3, scale: 2 }] })
    // Every rank: agree on how many ranks took part, over ctx.comm.
    .public(async (item: { n: number; scale: number }, ctx) => ({ ...item, ranks: (await ctx.comm.allReduce(Float32Array.of(1), 'sum'))[0] }))
    // The master (rank 2) makes the parameters: a matrix, broadcast to the workers.
    .master((item: { n: number; scale: number; ranks: number }) => ({
      n: item.n,
      ranks: item.ranks,
      matrix: Array.from({ length: item.n * item.n }, (_, i) => (i % (item.n + 1) === 0 ? item.scale : 0)),
    }))
    // Each worker multiplies its own vector by the matrix with its tab's tensor core.
    .worker(async (params: { n: number; ranks: number; matrix: number[] }, ctx) => {
      const t = ctx.tensor!;
      const vector = t.tensor(Array.from({ length: params.n }, (_, i) => (ctx.rank + 1) * (i + 1)), [1, params.n]);
      const product = await t.matmul(vector, t.tensor(params.matrix, [params.n, params.n])).data();
      return { rank: ctx.rank, ranks: params.ranks, product: Array.from(product) };
    })
    // The master gets the workers' returns in rank order.
    .master((parts: { rank: number; ranks: number; product: number[] }[], ctx) => ({ master: ctx.rank, parts }))
    .build();
  const job = await grid(coordinator).submit(spec);
  await job.wait({ timeoutMs: 100_000 });
  const results = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
  const expected = (n: number, scale: number) => ({
    master: 2,
    parts: [0, 1].map((rank) => ({ rank, ranks: 3, product: Array.from({ length: n }, (_, i) => (rank + 1) * (i + 1) * scale) })),
  });
  expect(results.map((result) => result.output)).toEqual([expected(4, 0.5), expected(3, 2)]);
});

test('the training demo on 3 tabs draws the loss curve of the same training in one process', async ({ coordinator, joinTabs }) => {
  test.setTimeout(180_000);
  await joinTabs(3);
  const config = { ...DEMO_CONFIG, samples: 600, steps: 60 };
  const job = await grid(coordinator).submit({
    name: 'train-mlp',
    code: await readTrainSource(),
    input: { items: [config] },
    gang: { size: 3, timeoutMs: 60_000 },
  });
  const [reference] = await Promise.all([trainInOneProcess(config), job.wait({ timeoutMs: 150_000 })]);
  const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
  const trained = result!.output as TrainResult;
  expect(trained.ranks).toBe(3);
  expect(trained.losses).toHaveLength(60);
  const comparison = compareLosses(trained.losses, reference);
  console.log(`train-mlp on 3 tabs: loss ${trained.losses[0]} → ${trained.losses.at(-1)}, max |difference| to one process ${comparison.maxDifference}`);
  expect(comparison, `max difference ${comparison.maxDifference}, tolerance ${LOSS_TOLERANCE}`).toMatchObject({ agree: true, firstBadStep: -1 });
  // It learned: a test that cannot fail would pass with a flat curve too.
  expect(trained.losses.at(-1)).toBeLessThan(0.5 * trained.losses[0]!);
  expect(trained.accuracy).toBeGreaterThan(0.8);
});

async function waitForLog(coordinator: CoordinatorProcess, jobId: string, match: (line: LogEntry) => boolean): Promise<LogEntry> {
  let found: LogEntry | undefined;
  await expect
    .poll(
      async () => {
        found = (await getLines<LogEntry>(coordinator, `/jobs/${jobId}/logs`)).find(match);
        return found !== undefined;
      },
      { timeout: 120_000, intervals: [100] },
    )
    .toBe(true);
  return found!;
}

async function tabOf(tabs: Page[], workerId: string): Promise<Page> {
  for (const tab of tabs) if ((await readJoinPage(tab))?.workerId === workerId) return tab;
  throw new Error(`no tab is worker ${workerId}`);
}
