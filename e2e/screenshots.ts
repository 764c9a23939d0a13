/**
 * `npm run screenshots`: PNGs of every admin panel view, for a running grid, into
 * `docs/screenshots/` (or `--out <folder>`). A real coordinator process, two real Chromium tabs,
 * and the jobs of `admin-scenes.ts`: one running, a DAG with a reduce step, a gang, a failed one,
 * and one that waits for another.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { Tabgrid } from '../sdk/index.js';
import { dagJob, dependentJob, failingJob, slowJob, waitingGangJob } from './admin-scenes.js';
import { CHROMIUM_ARGS, findChromium } from './chromium.js';
import { startCoordinatorProcess } from './coordinator.js';
import { openTabs } from './tabs.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' } } });
const out = resolve(values.out);
await mkdir(out, { recursive: true });

const coordinator = await startCoordinatorProcess();
const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] });
try {
  const tabs = await openTabs(browser, coordinator.joinUrl, 2);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const dag = await grid.submit(dagJob());
  await dag.wait({ timeoutMs: 60_000 });
  await grid.submit(dependentJob(dag.id));
  const failing = await grid.submit(failingJob());
  await failing.wait({ timeoutMs: 60_000 }).catch(() => undefined);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(coordinator.adminUrl);
  await page.locator('#token').fill(coordinator.adminToken);
  await page.locator('#login').click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();

  // A gang seen while it runs, then cancelled to free the tabs.
  const gang = await grid.submit(waitingGangJob());
  await shoot(page, 'job-gang', `#/jobs/${gang.id}`, () => page.locator('.gang td.id').nth(1).waitFor());
  await gang.cancel();

  const slow = await grid.submit({ ...slowJob(300), priority: 5 });
  // The chart needs a few samples: the coordinator takes one every 10 s.
  await page.waitForTimeout(25_000);

  await shoot(page, 'overview', '#/');
  await shoot(page, 'jobs', '#/jobs');
  await shoot(page, 'job-running', `#/jobs/${slow.id}`, async () => {
    await page.getByRole('button', { name: /^Task 0:/ }).click();
    await page.getByRole('heading', { name: 'Task 0' }).waitFor();
  });
  await shoot(page, 'job-dag', `#/jobs/${dag.id}`);
  await shoot(page, 'job-failed', `#/jobs/${failing.id}`);
  await shoot(page, 'workers', '#/workers');
  await shoot(page, 'submit', '#/submit', async () => {
    await page.getByLabel('Job spec (YAML or JSON)').fill('name: typo\ncode: |\n  export default (x) => x\ninptu:\n  items: [1, 2]\n');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText(/Line 4, column 1/).waitFor();
  });
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'phone-overview', '#/');
  await shoot(page, 'phone-job', `#/jobs/${slow.id}`);
  await Promise.all(tabs.map((tab) => tab.context().close()));
  console.log(`screenshots: ${out}`);
} finally {
  await browser.close();
  await coordinator.stop();
}

async function shoot(page: Page, name: string, hash: string, prepare?: () => Promise<void>): Promise<void> {
  await page.evaluate((to) => (location.hash = to), hash);
  await page.locator('main h1').first().waitFor();
  await prepare?.();
  await page.waitForTimeout(1500);
  const path = resolve(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`  ${name}.png`);
}
