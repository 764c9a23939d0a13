import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.js';

/** Logs in through the panel's form and waits for the overview. */
export async function logIn(page: Page, adminUrl: string, token: string): Promise<void> {
  await page.goto(adminUrl);
  await page.locator('#token').fill(token);
  await page.locator('#login').click();
}

/** Logs in and waits until the panel shows, its feed connected. */
export async function openPanel(page: Page, adminUrl: string, token: string): Promise<void> {
  await logIn(page, adminUrl, token);
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'live' })).toBeVisible();
}

/** Goes to a view of the panel by its hash route (`#/jobs/<id>`) and waits for its heading. */
export async function visit(page: Page, hash: string, heading: string | RegExp): Promise<void> {
  await page.evaluate((to) => (location.hash = to), hash);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

/**
 * Collects the page's Content Security Policy violations (the panel must run under its strict
 * policy), all but zod's probe for `new Function` (it builds its schemas when the shared chunk
 * loads, asks once whether eval is allowed, catches the refusal and parses without it).
 */
export async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      if (event.blockedURI !== 'eval') seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

/** Runs axe-core on the page as it is now: no serious or critical violation (WCAG 2.1 A and AA). */
export async function expectAccessible(page: Page, view: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const grave = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  expect(grave, `axe on the ${view} view`).toEqual([]);
}
