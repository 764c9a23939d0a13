import { expect, test } from './fixtures.js';

/**
 * The API reference at /api/docs renders the coordinator's OpenAPI document in real Chromium,
 * under the page's own CSP: every script from the coordinator, nothing refused, no other origin asked.
 */

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

test('the API reference loads under its CSP, from the coordinator alone, and shows the routes', async ({ page, coordinator }) => {
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.cspViolations?.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`));
  });
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refusals.push(message.text());
  });
  const elsewhere: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== coordinator.url && url.protocol !== 'data:' && url.protocol !== 'blob:') elsewhere.push(request.url());
  });

  const response = await page.goto(`${coordinator.url}/api/docs`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self';/);

  // The operations' summaries come from the document, so they show that it was fetched and rendered.
  await expect(page.getByText('Submit a job').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("A job's status").first()).toBeVisible();
  await expect(page.getByText('tabgrid coordinator').first()).toBeVisible();

  expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
  expect(refusals).toEqual([]);
  expect(elsewhere).toEqual([]);
});
