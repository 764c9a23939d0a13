import { Tabgrid } from '../sdk/index.js';
import { expectAccessible, logIn, openPanel, visit, watchViolations } from './admin-page.js';
import { expect, test } from './fixtures.js';
import { readJoinPage } from './tabs.js';

const DOUBLE = 'export default (x) => x * 2';

test('the overview and the workers view show the tabs, their work and the jobs by state; a worker is quarantined and released from its buttons', async ({
  coordinator,
  joinTabs,
  page,
}) => {
  const violations = await watchViolations(page);
  const tabs = await joinTabs(2);
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await grid.submit({ name: 'doubles', code: DOUBLE, input: { items: Array.from({ length: 20 }, (_, index) => index), chunkSize: 5 } });
  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');

  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);
  const workersCard = page.locator('.card').filter({ hasText: 'Workers connected' });
  await expect(workersCard).toContainText('2');
  await expect(page.getByRole('link', { name: /COMPLETED\s*1/ })).toBeVisible();
  await expect(page.getByText(/browser · .*: 2/)).toBeVisible();
  await expect(page.locator('figure.chart canvas')).toHaveCount(1);
  // The stats are pushed: a job submitted now shows in the counts without a reload.
  await grid.submit({ name: 'waits', code: DOUBLE, input: { items: [1] }, runMode: 'paused' });
  await expect(page.getByRole('link', { name: /PAUSED\s*1/ })).toBeVisible();
  await expectAccessible(page, 'overview');

  await page.getByRole('link', { name: 'Workers', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Workers', level: 1 })).toBeVisible();
  const ids = await Promise.all(tabs.map(async (tab) => (await readJoinPage(tab))?.workerId));
  for (const id of ids) {
    const row = page.locator(`#workers tr[data-worker-id="${id}"]`);
    await expect(row).toContainText('browser');
    // The tabs joined with `&tensor=wasm`: the backend they use shows, measured or not.
    await expect(row).toContainText('wasm (used');
    await expect(row).toContainText(/\d+ of \d+ cores?/);
  }
  await expect.poll(async () => (await page.locator('#workers td.tasks-done').allTextContents()).reduce((sum, count) => sum + Number(count), 0)).toBe(4);
  await expectAccessible(page, 'workers');

  const [first] = ids;
  await page.getByRole('button', { name: `Quarantine ${first}` }).click();
  await expect.poll(async () => (await grid.quarantined()).map((worker) => worker.id)).toContain(first);
  await page.getByRole('button', { name: `Release ${first}` }).click();
  await expect.poll(async () => (await grid.quarantined()).map((worker) => worker.id)).not.toContain(first);
  expect(await violations()).toEqual([]);
});

test('a wrong admin token, or the join token, brings back the login form with a message and sets no cookie', async ({ coordinator, page }) => {
  const joinToken = new URL(coordinator.joinUrl).searchParams.get('token')!;
  for (const token of ['not-the-token', joinToken]) {
    await logIn(page, coordinator.adminUrl, token);
    await expect(page.locator('#login-error')).toContainText('refused');
    await expect(page.locator('#login-form')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Views' })).toHaveCount(0);
  }
  expect(await page.context().cookies()).toEqual([]);
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
  await expectAccessible(page, 'login');
});

test('the login is an HttpOnly cookie no page script can read, kept across reloads until logging out', async ({ coordinator, page }) => {
  const violations = await watchViolations(page);
  const response = await page.goto(coordinator.adminUrl);
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await openPanel(page, coordinator.adminUrl, coordinator.adminToken);

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

  // A shared link opens its view after a reload.
  await visit(page, '#/workers', 'Workers');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Workers', level: 1 })).toBeVisible();
  await expect(page.locator('#login-form')).toHaveCount(0);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.locator('#login-form')).toBeVisible();
  await expect(page.locator('#login-error')).toHaveCount(0);
  await expect.poll(() => page.context().cookies()).toEqual([]);
  await page.reload();
  await expect(page.locator('#login-form')).toBeVisible();
  expect(await violations()).toEqual([]);
});
