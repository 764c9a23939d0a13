import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { ItemResult } from '../shared/index.js';
import { matmulReference, toleranceRatio } from '../shared/tensor/index.js';
import { Tabgrid } from '../sdk/index.js';
import type { WasmThreadsCheck, WasmThreadsLab, WasmThreadsOp, WasmThreadsStatus } from '../web-worker/tensor/wasm-backend/lab-protocol.js';
import { getLines } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { type StaticServer, startStaticServer } from './static-server.js';
import { openTabs } from './tabs.js';

/**
 * Cross-origin isolation and the threaded WASM kernels in real headless Chromium: `/join` and
 * its task workers are isolated (`SharedArrayBuffer` exists); the WASM backend's ops split
 * across threads equal the CPU reference (through the threaded lab page, `npm run build`
 * first); a page that is not isolated falls back to one thread; a job with `tensor.threads`
 * gets the threads in a volunteer's tab, and a job without it does not.
 */

declare const window: { wasmThreadsLab: WasmThreadsLab };

const LAB = 'web-worker/tensor/wasm-backend/lab.html';

async function openLab(page: Page, server: StaticServer): Promise<void> {
  await readFile(resolve(import.meta.dirname, '../dist/web', LAB)).catch((error: unknown) => {
    throw new Error('the threaded WASM lab is not built: run npm run build', { cause: error });
  });
  await page.goto(`${server.url}/${LAB}`);
  await page.waitForFunction(() => window.wasmThreadsLab !== undefined);
}

const startThreads = (page: Page): Promise<WasmThreadsStatus> => page.evaluate(() => window.wasmThreadsLab.start());
const check = (page: Page, op: WasmThreadsOp): Promise<WasmThreadsCheck> => page.evaluate((request) => window.wasmThreadsLab.check(request), op);

test.describe('the threaded WASM lab', () => {
  let isolated: StaticServer;
  let plain: StaticServer;
  test.beforeAll(async () => {
    isolated = await startStaticServer(undefined, { crossOriginIsolated: true });
    plain = await startStaticServer();
  });
  test.afterAll(async () => {
    await isolated.close();
    await plain.close();
  });

  test('on an isolated page, matmul (odd sizes, 512³, batched) and the big elementwise ops and reductions on every thread equal the CPU reference', async ({ page }) => {
    test.setTimeout(120_000);
    await openLab(page, isolated);
    const status = await startThreads(page);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    expect(status).toEqual({ crossOriginIsolated: true, sharedArrayBuffer: true, maxThreads: Math.min(cores, 16), threadsReady: Math.min(cores, 16) });
    expect(status.threadsReady).toBeGreaterThanOrEqual(2);
    const ops: WasmThreadsOp[] = [
      { op: 'matmul', m: 257, k: 131, n: 199 },
      { op: 'matmul', m: 512, k: 512, n: 512 },
      { op: 'matmul', m: 67, k: 129, n: 93, batch: 5 },
      { op: 'gelu', rows: 777, cols: 513 },
      { op: 'mul', rows: 777, cols: 513 },
      { op: 'softmax', rows: 777, cols: 513 },
      { op: 'sumRows', rows: 777, cols: 513 },
      { op: 'sumColumns', rows: 777, cols: 513 },
    ];
    for (const op of ops) {
      const result = await check(page, op);
      expect(result.threadsUsed, JSON.stringify(op)).toBe(status.threadsReady);
      expect(result.errorRatio, JSON.stringify(op)).toBeLessThanOrEqual(1);
    }
  });

  test('on a page that is not isolated, there is no SharedArrayBuffer and the backend keeps to one thread, computing right', async ({ page }) => {
    await openLab(page, plain);
    const status = await startThreads(page);
    expect(status).toEqual({ crossOriginIsolated: false, sharedArrayBuffer: false, maxThreads: 1, threadsReady: 1 });
    const result = await check(page, { op: 'matmul', m: 257, k: 131, n: 199 });
    expect(result.threadsUsed).toBe(1);
    expect(result.errorRatio).toBeLessThanOrEqual(1);
  });
});

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });

/** A task that multiplies a seeded [257, 131] by [131, 199] on `ctx.tensor` and says where it ran. */
const MATMUL_TASK = `export default async (item, ctx) => {
  const t = ctx.tensor;
  const random = (seed) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const next = random(item);
  const values = (count) => Float32Array.from({ length: count }, next);
  const c = t.matmul(t.tensor(values(257 * 131), [257, 131]), t.tensor(values(131 * 199), [131, 199]));
  return { backend: t.backendName, isolated: self.crossOriginIsolated, shared: typeof SharedArrayBuffer, values: Array.from(await c.data()) };
}`;

interface MatmulOutput {
  backend: string;
  isolated: boolean;
  shared: string;
  values: number[];
}

/** What MATMUL_TASK computes, on the CPU reference. */
function expectedProduct(seed: number): Float32Array {
  let state = seed;
  const next = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const values = (count: number): Float32Array => Float32Array.from({ length: count }, next);
  const a = values(257 * 131);
  const params = { batch: 1, m: 257, k: 131, n: 199, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false };
  return matmulReference(a, values(131 * 199), params);
}

/** The kernel threads (nested Web Workers of the task worker) the tab has started. */
function kernelThreads(tab: Page): number {
  return tab.workers().filter((worker) => /\/assets\/thread-[^/]*\.js$/.test(worker.url())).length;
}

test('/join is cross-origin isolated, and a job that asks for tensor threads gets them, computing the CPU reference', async ({ browser, coordinator }) => {
  test.setTimeout(120_000);
  const joinUrl = new URL(coordinator.joinUrl);
  joinUrl.searchParams.set('tensor', 'wasm');
  const [tab] = await openTabs(browser, joinUrl.href, 1);
  try {
    expect(await tab!.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, 'function']);
    const tabgrid = grid(coordinator);
    const run = async (name: string, threads: boolean): Promise<MatmulOutput> => {
      const job = await tabgrid.submit({ name, code: MATMUL_TASK, input: { items: [7] }, retry: { maxAttempts: 1 }, ...(threads ? { tensor: { threads: true } } : {}) });
      expect((await job.wait({ timeoutMs: 90_000 })).state).toBe('COMPLETED');
      const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
      return result!.output as MatmulOutput;
    };
    const tolerance = { absolute: 1e-5 * Math.sqrt(131), relative: 1e-4 };
    const expected = expectedProduct(7);

    const single = await run('one thread', false);
    expect(single).toMatchObject({ backend: 'wasm', isolated: true, shared: 'function' });
    expect(toleranceRatio(single.values, expected, tolerance)).toBeLessThanOrEqual(1);
    expect(kernelThreads(tab!)).toBe(0);

    const threaded = await run('threads', true);
    expect(threaded).toMatchObject({ backend: 'wasm', isolated: true, shared: 'function' });
    expect(toleranceRatio(threaded.values, expected, tolerance)).toBeLessThanOrEqual(1);
    const cores = await tab!.evaluate(() => navigator.hardwareConcurrency);
    await expect.poll(() => kernelThreads(tab!), { timeout: 10_000 }).toBe(Math.min(cores, 16) - 1);
  } finally {
    await tab!.context().close();
  }
});
