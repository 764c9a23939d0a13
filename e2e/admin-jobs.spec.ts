import { Tabgrid } from '../sdk/index.js';
import { CURSED, dagJob, dependentJob, failingJob, waitingGangJob } from './admin-scenes.js';
import { expectAccessible, openPanel, visit, watchViolations } from './admin-page.js';
import { expect, test } from './fixtures.js';
import { readJoinPage } from './tabs.js';

const DOUBLE = 'export default (x) => x * 2';

test('the jobs list pages, filters by state and name, orders by priority, follows new jobs, and links each job', async ({ coordinator, page }) => {
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const alpha = await grid.submit({ name: 'alpha', code: DOUBLE, input: { items: [1] }, priority: 1 });
  await grid.submit({ name: 'beta', code: DOUBLE, input: { items: [1] }, priority: 5 });
  const gamma = await grid.submit({ name: 'gamma', code: DOUBLE, input: { items: [1] }, priority: 3 });
  await gamma.cancel();

  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  const names = page.locator('#jobs tbody tr td:first-child a');
  await expect(names).toHaveText(['gamma', 'beta', 'alpha']);
  await page.getByLabel('Order').selectOption('priority');
  await expect(names).toHaveText(['beta', 'gamma', 'alpha']);
  await page.getByLabel('Order').selectOption('oldest');
  await expect(names).toHaveText(['alpha', 'beta', 'gamma']);
  await expect(page.locator(`#jobs tr[data-job-id="${gamma.id}"]`)).toContainText('CANCELLED');
  await expectAccessible(page, 'jobs');

  // A new job shows up, pushed by the feed.
  await grid.submit({ name: 'delta', code: DOUBLE, input: { items: [1] } });
  await expect(names).toHaveText(['alpha', 'beta', 'gamma', 'delta']);

  await page.getByLabel('State').selectOption('CANCELLED');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(names).toHaveText(['gamma']);
  expect(new URL(page.url()).hash).toBe('#/jobs?state=CANCELLED');
  await page.getByLabel('State').selectOption('');
  await page.getByLabel('Name').fill('ALP');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(names).toHaveText(['alpha']);

  await names.first().click();
  await expect(page.getByRole('heading', { level: 1, name: /alpha/ })).toBeVisible();
  expect(new URL(page.url()).hash).toBe(`#/jobs/${alpha.id}`);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: /alpha/ })).toBeVisible();
});

test('a DAG job: its task graph and grid follow the tasks live, a task opens from the grid with its logs, and the job it waits for is drawn', async ({
  coordinator,
  joinTabs,
  page,
}) => {
  const violations = await watchViolations(page);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const dag = await grid.submit(dagJob());
  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  await visit(page, `#/jobs/${dag.id}`, /diamond pipeline/);

  // No workers yet: the first task is ready, the others blocked, the reduce step last.
  const graph = page.getByRole('figure', { name: 'Task graph' });
  await expect(graph.getByRole('button', { name: 'Task 0: ready' })).toBeVisible();
  await expect(graph.getByRole('button', { name: /: blocked$/ })).toHaveCount(8);
  await expect(graph.locator('path.edge')).toHaveCount(9 + 8);
  await expect(page.getByRole('button', { name: 'Task 3: blocked' }).first()).toBeVisible();
  await expectAccessible(page, 'DAG job');

  await joinTabs(2);
  await expect(page.getByRole('heading', { level: 1, name: /diamond pipeline\s*COMPLETED/ })).toBeVisible({ timeout: 60_000 });
  await expect(graph.getByRole('button', { name: /: done$/ })).toHaveCount(9);
  await expect(page.locator('.timeline')).toContainText('all tasks done');
  await expect(page.locator('pre.result')).toHaveText('140');
  await expect(page.locator('table.results tbody tr')).toHaveCount(8);

  // The grid is one Tab stop: the arrow keys move along it, Enter opens a task.
  const cells = page.locator('.task-grid button.cell');
  await cells.first().focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  const panel = page.locator('.task-panel');
  await expect(panel.getByRole('heading', { name: 'Task 3' })).toBeVisible();
  await expect(panel).toContainText('1 (0 failed, 0 lost)');
  await expect(panel.locator('.log-lines')).toContainText('stage 4');

  // The logs filtered by task.
  await page.getByRole('search', { name: 'Filter the logs' }).getByLabel('Task').fill('5');
  await page.getByRole('button', { name: 'Filter logs' }).click();
  const logs = page.getByRole('region', { name: 'Logs' }).locator('.log-lines li');
  await expect(logs).toHaveCount(1);
  await expect(logs).toContainText('stage 6');

  const after = await grid.submit(dependentJob(dag.id));
  await after.wait({ timeoutMs: 60_000 });
  await visit(page, `#/jobs/${after.id}`, /after the pipeline/);
  const jobs = page.getByRole('figure', { name: 'Jobs this job waits for' });
  await jobs.getByRole('button', { name: 'Job diamond pipeline: COMPLETED' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /diamond pipeline/ })).toBeVisible();
  expect(await violations()).toEqual([]);
});

test('a failed job says why (task, items, attempts, worker, stack), and its failed tasks are retried from the button until it completes', async ({
  coordinator,
  joinTabs,
  page,
}) => {
  const [tab] = await joinTabs(1);
  const workerId = (await readJoinPage(tab!))?.workerId;
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit(failingJob());
  expect((await job.wait({ timeoutMs: 60_000 }).catch(() => job.status())).state).toBe('FAILED');

  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  await visit(page, `#/jobs/${job.id}`, /cursed items/);
  const why = page.getByRole('region', { name: 'Why it failed' });
  await expect(why).toContainText(CURSED);
  await expect(why.locator('dl')).toContainText('Task 2');
  await expect(why.locator('dl')).toContainText('item 2');
  await expect(why.locator('dl')).toContainText('1 (1 failed, 0 lost)');
  await expect(why.locator('dl')).toContainText(workerId!);
  await expect(why.locator('pre.stack')).toContainText('check');
  await expect(page.locator('.legend')).toContainText('failed 1');
  await expectAccessible(page, 'failed job');

  await page.getByRole('button', { name: 'Retry failed tasks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /cursed items\s*COMPLETED/ })).toBeVisible({ timeout: 60_000 });
  expect((await job.status()).state).toBe('COMPLETED');
  const outputs: unknown[] = [];
  for await (const result of job.results()) outputs.push(result.output);
  expect(outputs).toEqual([10, 20, 30, 40]);
  await expect(page.getByRole('region', { name: 'Why it failed' })).toHaveCount(0);
});

test('a gang job shows its members, each rank with its worker', async ({ coordinator, joinTabs, page }) => {
  const tabs = await joinTabs(2);
  const ids = await Promise.all(tabs.map(async (tab) => (await readJoinPage(tab))?.workerId));
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit(waitingGangJob());
  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  await visit(page, `#/jobs/${job.id}`, /waiting gang/);
  const members = page.getByRole('region', { name: 'Gang members' });
  await expect(members.locator('tbody tr')).toHaveCount(2, { timeout: 30_000 });
  await expect(members.locator('tbody tr').nth(0)).toContainText('0');
  expect((await members.locator('tbody tr td.id').allTextContents()).sort()).toEqual([...ids].sort());
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText('2 ranks');
  await expectAccessible(page, 'gang job');
  await job.cancel();
});
