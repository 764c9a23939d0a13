import { Tabgrid } from '../sdk/index.js';
import { expectAccessible, openPanel, visit } from './admin-page.js';
import { expect, test } from './fixtures.js';

const DOUBLE = 'export default (x) => x * 2';

test('every control of a job steers it, each effect shown without a reload and seen through the REST API', async ({ coordinator, page }) => {
  // No workers: the job waits, PENDING, for as long as the test needs.
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit({ name: 'steered', code: DOUBLE, input: { items: [1, 2, 3] } });
  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  await visit(page, `#/jobs/${job.id}`, /steered/);
  const heading = page.getByRole('heading', { level: 1 });

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(heading).toContainText('PAUSED');
  expect((await job.status()).state).toBe('PAUSED');
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(heading).toContainText('PENDING');
  expect((await job.status()).state).toBe('PENDING');

  await page.getByLabel('Priority', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Set priority' }).click();
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText(/Priority\s*7/);
  expect((await job.status()).priority).toBe(7);

  await page.getByRole('button', { name: 'Switch to debug mode' }).click();
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText(/Run mode\s*debug/);
  expect((await job.status()).runMode).toBe('debug');
  await page.getByRole('button', { name: 'Leave debug mode' }).click();
  await expect(page.getByRole('region', { name: 'Summary' })).toContainText(/Run mode\s*immediate/);
  expect((await job.status()).runMode).toBe('immediate');

  // Cancel asks first; "Keep it running" (or Escape) changes nothing.
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: /Cancel job steered/ });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'cancel confirmation');
  await dialog.getByRole('button', { name: 'Keep it running' }).click();
  await expect(dialog).toBeHidden();
  expect((await job.status()).state).toBe('PENDING');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.getByRole('button', { name: 'Yes, cancel the job' }).click();
  await expect(heading).toContainText('CANCELLED');
  expect((await job.status()).state).toBe('CANCELLED');
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeDisabled();

  // Resubmit makes a new job of the same spec and opens its page.
  await page.getByRole('button', { name: 'Resubmit' }).click();
  await expect.poll(() => new URL(page.url()).hash).not.toBe(`#/jobs/${job.id}`);
  const newId = decodeURIComponent(new URL(page.url()).hash.replace('#/jobs/', ''));
  await expect(heading).toContainText('steered');
  await expect(heading).toContainText('PENDING');
  const again = await grid.job(newId).status();
  expect(again).toMatchObject({ name: 'steered', state: 'PENDING', items: 3, priority: 7 });
});

test('Submit shows each mistake at its line and column, and a good spec opens the new job', async ({ coordinator, page }) => {
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  await page.getByRole('link', { name: 'Submit', exact: true }).click();
  const spec = page.getByLabel('Job spec (YAML or JSON)');
  await spec.fill('name: typo\ncode: |\n  export default (x) => x + 1\ninptu:\n  items: [1, 2]\n  chunksize: 2\n');
  await page.getByRole('button', { name: 'Submit job' }).click();
  const problems = page.locator('.problems li');
  await expect(problems).toContainText(['Line 4, column 1: inptu unknown key "inptu" — did you mean "input"?']);
  await expect(problems.filter({ hasText: 'input' }).first()).toBeVisible();
  await expectAccessible(page, 'submit');
  expect(await grid.jobs()).toEqual([]);

  await spec.fill('{\n  "name": "json job",\n  "code": "export default (x) => x + 1",\n  "input": { "items": [1, 2], "chunkSize": 0 }\n}\n');
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(problems).toHaveText([/^Line 4, column \d+: input\.chunkSize/]);

  await spec.fill('name: fixed\ncode: |\n  export default (x) => x + 1\ninput:\n  items: [1, 2]\n');
  await page.getByRole('button', { name: 'Submit job' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /fixed/ })).toBeVisible();
  const [submitted] = await grid.jobs();
  expect(submitted).toMatchObject({ name: 'fixed', items: 2 });
  expect(new URL(page.url()).hash).toBe(`#/jobs/${submitted?.id}`);
});

test('the panel fits a phone-size screen: no view scrolls sideways', async ({ coordinator, page }) => {
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit({ name: 'a job with a rather long name to wrap on a phone', code: DOUBLE, input: { items: Array.from({ length: 200 }, (_, index) => index) } });
  await page.setViewportSize({ width: 360, height: 740 });
  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  for (const [hash, heading] of [
    ['#/', 'Overview'],
    ['#/jobs', 'Jobs'],
    [`#/jobs/${job.id}`, /a job with a rather long name/],
    ['#/workers', 'Workers'],
    ['#/submit', 'Submit a job'],
  ] as const) {
    await visit(page, hash, heading);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${hash} is as wide as the screen`).toBeLessThanOrEqual(360);
  }
});
