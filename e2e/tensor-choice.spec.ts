import type { Browser, Page } from '@playwright/test';
import type { TensorReport, WorkerStatus } from '../shared/index.js';
import { getJson } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';

/**
 * The join page's choice of tensor backend when WebGPU misbehaves, and the WebGPU matmul tune
 * kept across joins, against a real coordinator. WebGPU is broken in the whole tab: in the page
 * (an init script) and in its task Web Workers, whose script is fetched through a route that
 * puts the same lines before the real code.
 */

/** Replaces `GPU.prototype.requestAdapter` wherever it runs (page or worker) by `body`. */
function breakWebGpu(body: string): string {
  return `if (typeof GPU !== 'undefined') { GPU.prototype.requestAdapter = function () { ${body} }; }\n`;
}

const HANGS = breakWebGpu('return new Promise(() => {});');
const NO_ADAPTER = breakWebGpu('return Promise.resolve(null);');
const THROWS = breakWebGpu("return Promise.reject(new Error('the GPU process crashed'));");

/** A volunteer tab in its own context with `patch` run before the page's and the task workers' code. */
async function openPatchedTab(browser: Browser, joinUrl: string, patch: string): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(patch);
  await context.route(/\/task-worker-[^/]*\.js(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: `${patch}${await response.text()}` });
  });
  const page = await context.newPage();
  await page.goto(joinUrl);
  return page;
}

/** The measurements behind the tab's plain tensor line, once it has them. */
async function tensorLine(tab: Page, timeout: number): Promise<string> {
  const line = tab.getByTestId('tensor-detail');
  await expect(line).toContainText('using', { timeout });
  return (await line.textContent()) ?? '';
}

/** The tensor report of the one worker the coordinator knows, once it has one matching `ready`. */
async function reportedTensor(coordinator: CoordinatorProcess, ready: (report: TensorReport) => boolean = () => true): Promise<TensorReport> {
  let found: TensorReport | undefined;
  await expect
    .poll(async () => {
      const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
      found = workers.map((worker) => worker.capabilities.tensor).find((report) => report !== undefined && ready(report));
      return found !== undefined;
    }, { timeout: 60_000 })
    .toBe(true);
  return found!;
}

test('with WebGPU hanging, the tab still measures and chooses WASM, and says why in plain words', async ({ browser, coordinator }) => {
  const tab = await openPatchedTab(browser, coordinator.joinUrl, HANGS);
  try {
    // WebGPU's own time limit (20 s) passes first; WASM was measured before it.
    const line = await tensorLine(tab, 90_000);
    await expect(tab.getByTestId('tensor')).toHaveText('Using your processor: the graphics card did not answer in time');
    expect(line).toMatch(/^WASM [\d.]+ GFLOPS, CPU [\d.]+ GFLOPS at \d+×\d+ → using WASM \(WebGPU left out, timeout: TimeLimitError: webgpu: no answer within 20000 ms\)$/);
    const report = await reportedTensor(coordinator);
    expect(report.chosen.backend).toBe('wasm');
    expect(report.unavailable).toEqual([{ backend: 'webgpu', why: 'timeout', reason: 'TimeLimitError: webgpu: no answer within 20000 ms' }]);
    expect(report.figures.map(({ backend }) => backend)).toContain('wasm');
    expect(report.webgpuMatmul).toBeUndefined();
  } finally {
    await tab.context().close();
  }
});

for (const [broken, patch] of [['grants no adapter', NO_ADAPTER], ['throws', THROWS]] as const) {
  test(`with WebGPU that ${broken}, the tab chooses WASM and says the page may use no graphics card`, async ({ browser, coordinator }) => {
    const tab = await openPatchedTab(browser, coordinator.joinUrl, patch);
    try {
      expect(await tensorLine(tab, 60_000)).toMatch(/→ using WASM \(WebGPU left out, absent: .+\)$/);
      await expect(tab.getByTestId('tensor')).toHaveText('Using your processor: this browser lets web pages use no graphics card');
      const report = await reportedTensor(coordinator);
      expect(report.chosen.backend).toBe('wasm');
      expect(report.unavailable).toMatchObject([{ backend: 'webgpu', why: 'absent' }]);
    } finally {
      await tab.context().close();
    }
  });
}

test('the first join tunes the WebGPU matmul and keeps the tune; the next join reuses it without tuning', async ({ browser, coordinator }) => {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(coordinator.joinUrl);
    const first = await reportedTensor(coordinator, (report) => report.webgpuMatmul !== undefined);
    expect(first.webgpuMatmul?.source).toBe('tuned');
    const kept = await tab.evaluate(() => localStorage.getItem('tabgrid.webgpu-matmul-tunes'));
    expect(Object.values(JSON.parse(kept ?? '{}') as Record<string, string>)).toEqual([first.webgpuMatmul!.config]);

    await tab.reload();
    const second = await reportedTensor(coordinator, (report) => report.webgpuMatmul?.source === 'cached');
    expect(second.webgpuMatmul).toEqual({ config: first.webgpuMatmul!.config, source: 'cached' });
    expect(await tensorLine(tab, 60_000)).toMatch(/→ using (WebGPU|WASM|CPU)$/);
  } finally {
    await context.close();
  }
});
