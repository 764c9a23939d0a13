import type { Page } from '@playwright/test';
import { Tabgrid } from '../sdk/index.js';
import { expect, test } from './fixtures.js';
import { readJoinPage } from './tabs.js';

const DOUBLE = 'export default (x) => x * 2';

/** Logs in through the panel's form. */
async function logIn(page: Page, adminUrl: string, token: string): Promise<void> {
  await page.goto(adminUrl);
  await page.locator('#token').fill(token);
  await page.locator('#login').click();
}

/**
 * Collects the page's Content Security Policy violations (the panel must run under its strict
 * policy), all but zod's probe for `new Function` (it builds its schemas when the shared chunk
 * loads, asks once whether eval is allowed, catches the refusal and parses without it).
 */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      if (event.blockedURI !== 'eval') seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

test('the admin panel lists the finished job and the tabs that ran it', async ({
  coordinator,
  joinTabs,
  page,
}, testInfo) => {
  const tabs = await joinTabs(3);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const items = Array.from({ length: 20 }, (_, index) => index);
  const job = await grid.submit({ name: 'doubles', code: DOUBLE, input: { items, chunkSize: 5 } });
  const finished = await job.wait({ timeoutMs: 60_000 });
  expect(finished.state).toBe('COMPLETED');

  await logIn(page, coordinator.adminUrl, coordinator.adminToken);

  const jobRow = page.locator(`#jobs tr[data-job-id="${job.id}"]`);
  await expect(jobRow).toContainText('doubles');
  await expect(jobRow).toContainText('COMPLETED');
  await expect(jobRow).toContainText('4/4');
  await expect(jobRow.locator('progress')).toHaveAttribute('value', '4');
  await expect(jobRow.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

  await expect(page.locator('#workers tbody tr')).toHaveCount(3);
  for (const tab of tabs) {
    const workerId = (await readJoinPage(tab))?.workerId;
    expect(workerId, 'the join page exposes its worker id').toBeTruthy();
    const workerRow = page.locator(`#workers tr[data-worker-id="${workerId}"]`);
    await expect(workerRow).toContainText('idle');
    await expect(workerRow.locator('td').nth(1)).not.toBeEmpty();
  }
  await expect.poll(() => sumTasksDone(page)).toBe(4);

  const screenshot = testInfo.outputPath('admin.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach('admin panel', { path: screenshot, contentType: 'image/png' });
});

test('a job nobody can run yet is cancelled from its Cancel button', async ({ coordinator, page }) => {
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit({ name: 'waits for tabs', code: DOUBLE, input: { items: [1, 2, 3] } });

  await logIn(page, coordinator.adminUrl, coordinator.adminToken);
  const jobRow = page.locator(`#jobs tr[data-job-id="${job.id}"]`);
  await expect(jobRow).toContainText('0/3');
  await jobRow.getByRole('button', { name: 'Cancel' }).click();

  await expect(jobRow).toContainText('CANCELLED');
  await expect(jobRow.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  expect((await job.status()).state).toBe('CANCELLED');
});

test('a wrong admin token, or the join token, brings back the login form with a message and sets no cookie', async ({
  coordinator,
  page,
}) => {
  const joinToken = new URL(coordinator.joinUrl).searchParams.get('token')!;
  for (const token of ['not-the-token', joinToken]) {
    await logIn(page, coordinator.adminUrl, token);
    await expect(page.locator('#login-error')).toContainText('refused');
    await expect(page.locator('#login-form')).toBeVisible();
    await expect(page.locator('#dashboard')).toBeHidden();
  }
  expect(await page.context().cookies()).toEqual([]);
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
});

test('the login is an HttpOnly cookie no page script can read, kept across reloads until logging out', async ({ coordinator, page }) => {
  const violations = await watchViolations(page);
  const response = await page.goto(coordinator.adminUrl);
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await page.locator('#token').fill(coordinator.adminToken);
  await page.locator('#login').click();
  await expect(page.locator('#dashboard')).toBeVisible();
  await expect(page.locator('#connection')).toContainText('Updated');

  const [cookie, ...others] = await page.context().cookies();
  expect(others).toEqual([]);
  expect(cookie).toMatchObject({ name: 'tabgrid_admin', path: '/api/v1', httpOnly: true, sameSite: 'Strict' });
  expect(cookie?.value).not.toContain(coordinator.adminToken);
  expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual(['', 0, 0]);

  // The join page shares the origin: its scripts cannot read the session either.
  const joinPage = await page.context().newPage();
  await joinPage.goto(coordinator.joinUrl);
  expect(await joinPage.evaluate(() => document.cookie)).toBe('');
  await joinPage.close();

  await page.reload();
  await expect(page.locator('#dashboard')).toBeVisible();
  await expect(page.locator('#login-form')).toBeHidden();
  await expect(page.locator('#connection')).toContainText('Updated');

  await page.getByRole('link', { name: 'log out' }).click();
  await expect(page.locator('#login-form')).toBeVisible();
  await expect(page.locator('#login-error')).toBeHidden();
  await expect.poll(() => page.context().cookies()).toEqual([]);
  await page.reload();
  await expect(page.locator('#login-form')).toBeVisible();
  await expect(page.locator('#dashboard')).toBeHidden();
  expect(await violations()).toEqual([]);
});

async function sumTasksDone(page: Page): Promise<number> {
  const counts = await page.locator('#workers td.tasks-done').allTextContents();
  return counts.reduce((sum, count) => sum + Number(count), 0);
}
