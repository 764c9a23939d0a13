import type { Page } from '@playwright/test';
import { Tabgrid } from '../sdk/index.js';
import type { VolunteerStatus } from '../web-worker/page/status.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { idbRows } from './tabs.js';

/** The join token leaves the address bar once the page has read it; the tab keeps it for reloads. */

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });

function status(page: Page): Promise<VolunteerStatus | undefined> {
  return page.evaluate(() => window.tabgrid);
}

async function waitForState(page: Page, state: string): Promise<void> {
  await expect.poll(async () => (await status(page))?.state, { timeout: 30_000, message: `tab state ${state}` }).toBe(state);
}

/** The tasks-done count the tab has stored (its identity row in IndexedDB). */
async function storedTasksDone(page: Page): Promise<number> {
  const rows = await idbRows<{ tasksDone?: number }>(page, 'identities');
  return Math.max(0, ...rows.map((row) => row.tasksDone ?? 0));
}

async function address(page: Page): Promise<URL> {
  return new URL(await page.evaluate(() => location.href));
}

async function runOneTask(coordinator: CoordinatorProcess, item: number): Promise<unknown> {
  const job = await grid(coordinator).submit({ name: `one task ${item}`, code: 'export default (x) => x * 2', input: { items: [item] } });
  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  const outputs: unknown[] = [];
  for await (const { output } of job.results()) outputs.push(output);
  return outputs[0];
}

test('the join token leaves the address bar, and a reloaded tab still joins with it', async ({ browser, coordinator }) => {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    const joinUrl = new URL(coordinator.joinUrl);
    joinUrl.searchParams.set('tensor', 'cpu');
    const response = await tab.goto(joinUrl.href);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    await waitForState(tab, 'connected');

    const joined = await address(tab);
    expect(joined.searchParams.has('token')).toBe(false);
    expect(joined.searchParams.get('tensor')).toBe('cpu');
    expect(joined.pathname).toBe('/join');
    expect(await runOneTask(coordinator, 21)).toBe(42);
    const { workerId } = (await status(tab))!;
    // The job completes when the coordinator stores the result; the tab counts it when the ack
    // comes, and stores the count a moment later. A reload before that would lose the count.
    await expect.poll(() => storedTasksDone(tab), { timeout: 10_000 }).toBe(1);

    await tab.reload();
    await waitForState(tab, 'connected');
    expect((await address(tab)).searchParams.has('token')).toBe(false);
    expect((await status(tab))?.workerId).toBe(workerId);
    expect(await runOneTask(coordinator, 5)).toBe(10);
    // The page refreshes its status on a timer: the job can be COMPLETED before it shows.
    await expect.poll(async () => (await status(tab))?.tasksDone, { timeout: 10_000 }).toBe(2);
  } finally {
    await context.close();
  }
});
