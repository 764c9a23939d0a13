import type { JobEvent, JobStatus, LogEntry, TaskStatus, WorkerStatus } from '../shared/index.js';
import { Tabgrid, isJobFailedError } from '../sdk/index.js';
import { getJson, getLines, postJson, waitUntilMeasured } from './api.js';
import { expect, test } from './fixtures.js';

const sleepThenEcho = (ms: number): string =>
  `export default async (x, ctx) => { ctx.log('ran ' + x); await new Promise((r) => setTimeout(r, ${ms})); return x; }`;

function chain(from: number, to: number): [number, number][] {
  return Array.from({ length: to - from }, (_, offset) => [from + offset, from + offset + 1]);
}

test('two dependency chains on two tabs run side by side, each in order', async ({ coordinator, joinTabs }) => {
  await joinTabs(2);
  // A tab still measuring its backends starts its first task late, long enough on a loaded
  // machine for the other chain to run to its end first (seen in CI: 30 and 0).
  await waitUntilMeasured(coordinator, 2);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const items = Array.from({ length: 60 }, (_, index) => index);
  const job = await grid.submit({
    name: 'two chains',
    code: sleepThenEcho(30),
    input: { items, chunkSize: 1 },
    dependencies: [...chain(0, 29), ...chain(30, 59)],
  });
  expect((await job.wait({ timeoutMs: 90_000 })).state).toBe('COMPLETED');

  const order = (await getLines<LogEntry>(coordinator, `/jobs/${job.id}/logs`)).map((log) => Number(log.message.slice(4)));
  expect(order).toHaveLength(60);
  // Each chain in its own order...
  expect(order.filter((item) => item < 30)).toEqual(items.slice(0, 30));
  expect(order.filter((item) => item >= 30)).toEqual(items.slice(30));
  // ...and the two interleaved: halfway through, both chains are well on their way (run one after
  // the other, one would have none). Not "about half each": on a loaded machine one tab may be
  // slower for a while (a stressed run saw 21 and 9).
  const firstHalf = order.slice(0, 30);
  expect(firstHalf.filter((item) => item < 30).length, `order: ${order.join(' ')}`).toBeGreaterThanOrEqual(5);
  expect(firstHalf.filter((item) => item >= 30).length, `order: ${order.join(' ')}`).toBeGreaterThanOrEqual(5);
});

test('a job that depends on another waits for it, then runs', async ({ coordinator, joinTabs }) => {
  await joinTabs(2);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const first = await grid.submit({ name: 'first', code: sleepThenEcho(200), input: { items: [1, 2, 3, 4, 5, 6], chunkSize: 1 } });
  const second = await grid.submit({ name: 'second', code: sleepThenEcho(10), input: { items: [7, 8] }, dependsOn: [first.id] });

  const waiting = await second.status();
  expect(waiting.state).toBe('PENDING');
  expect(waiting.waitingReason).toContain(first.id);

  expect((await second.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  const firstDone = (await getJson<{ events: JobEvent[] }>(coordinator, `/jobs/${first.id}/events`)).events.find((e) => e.to === 'COMPLETED')!;
  const secondRan = (await getJson<{ events: JobEvent[] }>(coordinator, `/jobs/${second.id}/events`)).events.find((e) => e.to === 'RUNNING')!;
  expect(secondRan.id).toBeGreaterThan(firstDone.id);
});

test('a job that depends on a failed job fails, naming it', async ({ coordinator, joinTabs }) => {
  await joinTabs(1);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const broken = await grid.submit({
    name: 'broken',
    code: `export default () => { throw new Error('no luck'); }`,
    input: { items: [1] },
    retry: { maxAttempts: 1, distinctWorkers: 1 },
  });
  const dependent = await grid.submit({ name: 'dependent', code: sleepThenEcho(1), input: { items: [1] }, dependsOn: [broken.id] });

  const failure = await dependent.wait({ timeoutMs: 60_000 }).catch((error: unknown) => error);
  expect(isJobFailedError(failure)).toBe(true);
  const status = await dependent.status();
  expect(status.state).toBe('FAILED');
  expect(status.error?.message).toContain(broken.id);
});

test('pause stops new leases and lets running tasks finish; resume completes the job', async ({ coordinator, joinTabs }) => {
  await joinTabs(2);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit({ name: 'pausable', code: sleepThenEcho(150), input: { items: Array.from({ length: 40 }, (_, i) => i), chunkSize: 1 } });
  await expect.poll(async () => (await job.status()).progress.done, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);

  await postJson<JobStatus>(coordinator, `/jobs/${job.id}/pause`);
  // The tasks that were running finish; nothing new starts.
  await expect.poll(async () => (await job.status()).progress.running, { timeout: 10_000 }).toBe(0);
  const paused = await job.status();
  expect(paused.state).toBe('PAUSED');
  // Another job runs to its end on the same two tabs: each of its four tasks answered an ask
  // that the paused job, older and taking turns with it, would have had its share of.
  const probe = await grid.submit({ name: 'probe', code: sleepThenEcho(10), input: { items: [1, 2, 3, 4], chunkSize: 1 } });
  expect((await probe.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  const still = await job.status();
  expect(still.progress.done).toBe(paused.progress.done);
  expect(still.progress.done).toBeLessThan(40);

  await postJson<JobStatus>(coordinator, `/jobs/${job.id}/resume`);
  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  const transitions = (await getJson<{ events: JobEvent[] }>(coordinator, `/jobs/${job.id}/events`)).events.map((e) => e.to);
  expect(transitions).toEqual(['SUBMITTED', 'PENDING', 'RUNNING', 'PAUSED', 'RUNNING', 'COMPLETED']);
});

test('a task whose tab closes after 5 of its 20 items resumes on another tab at item 6; each item runs once', async ({
  coordinator,
  joinTabs,
}) => {
  const tabs = await joinTabs(2);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const code = `export default async (x, ctx) => {
    ctx.log('start ' + x + ' attempt ' + ctx.task.attempt);
    // On the first attempt, item 5 hangs: its tab is closed while it runs.
    if (x === 5 && ctx.task.attempt === 1) await new Promise(() => {});
    await new Promise((r) => setTimeout(r, 20));
    ctx.log('done ' + x);
    return x * 10;
  }`;
  const items = Array.from({ length: 20 }, (_, index) => index);
  const job = await grid.submit({ name: 'resumable', code, input: { items, chunkSize: 20 } });

  const logs = async (): Promise<string[]> => (await getLines<LogEntry>(coordinator, `/jobs/${job.id}/logs`)).map((log) => log.message);
  await expect.poll(logs, { timeout: 30_000 }).toContain('start 5 attempt 1');
  const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
  const holder = workers.find((worker) => worker.currentTasks.some((task) => task.jobId === job.id))!;
  for (const tab of tabs) {
    const id = await tab.evaluate(() => (window as unknown as { tabgrid: { workerId?: string } }).tabgrid.workerId);
    if (id === holder.id) await tab.context().close();
  }

  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  const messages = await logs();
  for (const item of items) expect(messages.filter((m) => m === `done ${item}`), `done ${item}`).toHaveLength(1);
  const secondAttempt = messages.filter((m) => m.endsWith('attempt 2'));
  expect(secondAttempt[0]).toBe('start 5 attempt 2');
  const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
  expect(tasks[0]).toMatchObject({ state: 'done', attempts: 2, lapses: 1 });
  const results = await getLines<{ index: number; output: number }>(coordinator, `/jobs/${job.id}/results`);
  expect(results).toEqual(items.map((item) => ({ index: item, output: item * 10 })));
});
