import { test as base, type Page } from '@playwright/test';
import { type CoordinatorOptions, type CoordinatorProcess, startCoordinatorProcess } from './coordinator.js';
import { consoleOf, openTabs } from './tabs.js';

export interface TabgridFixtures {
  /** How the test's coordinator starts: `test.use({ coordinatorOptions: { leaseMs: 2000 } })`. */
  coordinatorOptions: CoordinatorOptions;
  /** A real coordinator process for this test, stopped after it. */
  coordinator: CoordinatorProcess;
  /**
   * Opens `count` tabs at this test's join URL, connected; closed after the test. They compute on
   * WASM without measuring the other backends first (`&tensor=wasm`, a volunteer's own choice):
   * measuring WebGPU on SwiftShader costs each tab seconds of CPU, a sixth of a map test's time.
   * With `{ measure: true }` they measure and choose as a volunteer's tab does by default.
   */
  joinTabs: (count: number, options?: { measure?: boolean }) => Promise<Page[]>;
}

/**
 * Playwright's `test` with a coordinator per test. On failure the coordinator's output and the
 * tabs' consoles are attached to the report.
 */
export const test = base.extend<TabgridFixtures>({
  coordinatorOptions: [{}, { option: true }],

  coordinator: async ({ coordinatorOptions }, use, testInfo) => {
    const coordinator = await startCoordinatorProcess(coordinatorOptions);
    try {
      await use(coordinator);
    } finally {
      await coordinator.stop();
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('coordinator output', { body: coordinator.output(), contentType: 'text/plain' });
      }
    }
  },

  joinTabs: async ({ browser, coordinator }, use, testInfo) => {
    const opened: Page[] = [];
    await use(async (count, { measure = false } = {}) => {
      const pages = await openTabs(browser, measure ? coordinator.joinUrl : `${coordinator.joinUrl}&tensor=wasm`, count);
      opened.push(...pages);
      return pages;
    });
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [index, page] of opened.entries()) {
        const body = consoleOf(page).join('\n');
        await testInfo.attach(`tab ${index} console`, { body, contentType: 'text/plain' });
      }
    }
    await Promise.all(opened.map((page) => page.context().close()));
  },
});

export { expect } from '@playwright/test';
