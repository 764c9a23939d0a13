import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { Tabgrid, isJobFailedError, type ItemResult, type JobStatus, type TaskStatus } from '../sdk/index.js';
import { startCoordinatorProcess, type CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { openTabs, readJoinPage } from './tabs.js';

const run = promisify(execFile);
const ITEMS = Array.from({ length: 1000 }, (_, index) => index);

/** Busy for about `ms` per item, so a job lasts long enough for tabs to share it and for a test to interrupt it. */
function slowSquare(ms: number): string {
  return `export default (x) => { const end = Date.now() + ${ms}; while (Date.now() < end); return x * x + 1; }`;
}

async function api<T>(coordinator: CoordinatorProcess, path: string): Promise<T> {
  const response = await fetch(`${coordinator.url}/api/v1${path}`, {
    headers: { authorization: `Bearer ${coordinator.adminToken}` },
  });
  expect(response.status, `GET ${path}`).toBe(200);
  return (await response.json()) as T;
}

async function results(coordinator: CoordinatorProcess, jobId: string): Promise<ItemResult[]> {
  const response = await fetch(`${coordinator.url}/api/v1/jobs/${jobId}/results`, {
    headers: { authorization: `Bearer ${coordinator.adminToken}` },
  });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ItemResult);
}

/** Every item exactly once, in order, with the right output. */
function expectEachItemOnce(lines: ItemResult[]): void {
  expect(lines).toHaveLength(ITEMS.length);
  lines.forEach((line, position) => {
    expect(line.index).toBe(position);
    expect(line.output).toBe(position * position + 1);
  });
}

async function waitForProgress(coordinator: CoordinatorProcess, jobId: string, fraction: number): Promise<void> {
  await expect
    .poll(async () => {
      const { progress } = await api<JobStatus>(coordinator, `/jobs/${jobId}`);
      return progress.done / progress.total;
    }, { timeout: 60_000, intervals: [100] })
    .toBeGreaterThanOrEqual(fraction);
}

async function tasksDoneByTab(tabs: Page[]): Promise<number[]> {
  return Promise.all(tabs.map(async (tab) => (await readJoinPage(tab))?.tasksDone ?? 0));
}

test('three tabs map 1,000 items; every output is right and in order, and every tab helped', async ({ coordinator, joinTabs }) => {
  const tabs = await joinTabs(3);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });

  const outputs = await grid.map(
    ITEMS,
    (x: number) => {
      const end = Date.now() + 2;
      while (Date.now() < end);
      return x * x + 1;
    },
    { chunkSize: 20, name: 'squares' },
  );

  expect(outputs).toEqual(ITEMS.map((x) => x * x + 1));
  const done = await tasksDoneByTab(tabs);
  expect(done.reduce((a, b) => a + b, 0)).toBe(ITEMS.length / 20);
  for (const count of done) expect(count).toBeGreaterThan(0);
});

test('a tab closed in the middle of a job: the job still completes, each item exactly once', async ({ coordinator, joinTabs }) => {
  const tabs = await joinTabs(3);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit({ name: 'survives a closed tab', code: slowSquare(3), input: { items: ITEMS, chunkSize: 20 } });

  await waitForProgress(coordinator, job.id, 0.2);
  const leaving = tabs[0]!;
  const leavingId = (await readJoinPage(leaving))?.workerId;
  await leaving.context().close();

  const final = await job.wait({ timeoutMs: 90_000 });
  expect(final.state).toBe('COMPLETED');
  expectEachItemOnce(await results(coordinator, job.id));
  const { tasks } = await api<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
  expect(tasks.every((task) => task.state === 'done')).toBe(true);
  const workers = await api<{ workers: { id: string }[] }>(coordinator, '/workers');
  expect(workers.workers.map((worker) => worker.id)).not.toContain(leavingId);
});

test('a function that throws on one item: tried 3 times, then the job fails and the SDK and CLI show why', async ({
  coordinator,
  joinTabs,
}) => {
  await joinTabs(3);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const code = `export default (x) => { if (x === 137) throw new Error('item 137 is cursed'); return x; }`;
  // One tab's failures fail the job here (a trusted grid); by default a second tab must fail it too.
  const job = await grid.submit({ name: 'cursed', code, input: { items: ITEMS.slice(0, 200), chunkSize: 20 }, retry: { distinctWorkers: 1 } });

  const failure = await job.wait({ timeoutMs: 60_000 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(isJobFailedError(failure)).toBe(true);
  expect((failure as Error).message).toContain('item 137 is cursed');

  const status = await job.status();
  expect(status.state).toBe('FAILED');
  expect(status.error?.message).toContain('item 137 is cursed');
  expect(status.error?.taskIndex).toBe(6);
  const { tasks } = await api<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
  expect(tasks[6]).toMatchObject({ state: 'failed', attempts: 3, failures: 3 });

  const cli = await run(process.execPath, ['dist/sdk/cli/main.js', 'status', job.id], {
    env: { ...process.env, TABGRID_URL: coordinator.url, TABGRID_TOKEN: coordinator.adminToken },
  });
  expect(cli.stdout).toContain('FAILED');
  expect(cli.stdout).toContain('item 137 is cursed');
});

test('the coordinator is SIGKILLed mid-job and restarted: tabs reconnect and the job completes, nothing lost or duplicated', async ({
  coordinator,
  browser,
}) => {
  const tabs = await openTabs(browser, coordinator.joinUrl, 3);
  let restarted: CoordinatorProcess | undefined;
  try {
    const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
    const job = await grid.submit({ name: 'survives a crash', code: slowSquare(4), input: { items: ITEMS, chunkSize: 20 } });
    await waitForProgress(coordinator, job.id, 0.25);

    await coordinator.kill('SIGKILL');
    restarted = await startCoordinatorProcess({
      dataDir: coordinator.dataDir,
      args: ['--port', new URL(coordinator.url).port],
    });
    expect(restarted.joinUrl).toBe(coordinator.joinUrl);

    const final = await grid.job(job.id).wait({ timeoutMs: 120_000 });
    expect(final.state).toBe('COMPLETED');
    expectEachItemOnce(await results(restarted, job.id));
    for (const tab of tabs) expect((await readJoinPage(tab))?.state).toBe('connected');
  } finally {
    await restarted?.stop();
    await Promise.all(tabs.map((tab) => tab.context().close()));
  }
});
