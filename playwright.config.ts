import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './e2e/chromium.js';

// Resolved once, in the runner; test workers inherit it through the environment, so a
// Chromium that had to be installed is installed once.
const executablePath = findChromium();
process.env['TABGRID_CHROMIUM'] = executablePath;

/** Browser tests: real Chromium tabs against real coordinator processes (run `npm run build` first). */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  // Each test starts its own coordinator and tabs; the machines have 2 cores.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: Boolean(process.env['CI']),
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath, args: [...CHROMIUM_ARGS] },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
