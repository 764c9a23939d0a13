import type { Page } from '@playwright/test';
import type { ItemResult, TaskStatus, WorkerStatus } from '../shared/index.js';
import { createRandom, matmulReference, randomValues } from '../shared/tensor/index.js';
import { Tabgrid, isJobFailedError, type Matrix } from '../sdk/index.js';
import { getJson, getLines } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { openTabs, readJoinPage } from './tabs.js';

/**
 * `ctx.tensor` in volunteers' tabs: the backends measured at join (shown on the page, reported
 * to the coordinator), a lost GPU device failing its attempt and replaced for the next, and a
 * distributed matmul over three tabs.
 */

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });

/** The measurements behind the tab's plain tensor line, once it has them. */
async function tensorLine(tab: Page): Promise<string> {
  const line = tab.getByTestId('tensor-detail');
  await expect(line).toContainText('using', { timeout: 30_000 });
  return (await line.textContent()) ?? '';
}

test('the tab measures its tensor backends at join, shows them and reports them to the coordinator', async ({ coordinator, joinTabs }) => {
  const [tab] = await joinTabs(1, { measure: true });
  const line = await tensorLine(tab!);
  expect(line).toMatch(/GFLOPS .*→ using (WebGPU|WASM|CPU)$/);

  await expect
    .poll(async () => (await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers')).workers[0]?.capabilities.tensor, { timeout: 15_000 })
    .toBeDefined();
  const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
  const tensor = workers[0]!.capabilities.tensor!;
  const labels: Record<string, string> = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU' };
  expect(line).toContain(`using ${labels[tensor.chosen.backend]}`);
  expect(tensor.figures.length).toBeGreaterThan(0);
  for (const figure of tensor.figures) expect(figure.gflops).toBeGreaterThan(0);
  expect(tensor.figures.map((figure) => figure.backend)).toContain(tensor.chosen.backend);

  // What a task sees is the backend the page names.
  const job = await grid(coordinator).submit({
    name: 'which backend',
    code: 'export default async (range, ctx) => ctx.tensor.backendName',
    input: { range: { start: 0, end: 1 } },
  });
  await job.wait({ timeoutMs: 60_000 });
  const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
  expect(result!.output).toBe(tensor.chosen.backend);
});

/** Loses the WebGPU device on attempt 1 (or on every attempt, with `always`), then multiplies. */
function deviceLossTask(always: boolean): string {
  return `export default async (range, ctx) => {
    const t = ctx.tensor;
    if (${always} || ctx.task.attempt === 1) {
      if (!t.forceDeviceLoss) throw new Error('no device to lose: the task runs on ' + t.backendName);
      t.forceDeviceLoss();
    }
    const c = t.matmul(t.tensor([1, 2, 3, 4], [2, 2]), t.tensor([5, 6, 7, 8], [2, 2]));
    return { backend: t.backendName, attempt: ctx.task.attempt, values: Array.from(await c.data()) };
  }`;
}

test('a lost GPU device fails the attempt with DeviceLostError; the retry gets a new device and the right numbers', async ({ browser, coordinator }) => {
  // `tensor=webgpu` makes the tab use WebGPU even where the WASM kernels measure faster (SwiftShader).
  const [tab] = await openTabs(browser, `${coordinator.joinUrl}&tensor=webgpu`, 1);
  try {
    expect(await tensorLine(tab!)).toContain('using WebGPU');
    await expect(tab!.getByTestId('tensor')).toHaveText('Using your graphics card');
    const tabgrid = grid(coordinator);

    const doomed = await tabgrid.submit({ name: 'always lost', code: deviceLossTask(true), input: { range: { start: 0, end: 1 } }, retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const failure = await doomed.wait({ timeoutMs: 60_000 }).catch((error: unknown) => error);
    expect(isJobFailedError(failure)).toBe(true);
    expect((failure as Error).message).toContain('DeviceLostError');

    const job = await tabgrid.submit({
      name: 'lost once',
      code: deviceLossTask(false),
      input: { range: { start: 0, end: 1 } },
      retry: { maxAttempts: 3, backoff: { initialMs: 0 } },
    });
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    const [result] = await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`);
    expect(result!.output).toEqual({ backend: 'webgpu', attempt: 2, values: [19, 22, 43, 50] });
    const [task] = (await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`)).tasks;
    expect(task).toMatchObject({ state: 'done', attempts: 2, failures: 1 });
  } finally {
    await tab!.context().close();
  }
});

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  return { rows, cols, data: randomValues(createRandom(seed), rows * cols) };
}

test('a 1024×1024 by 1024×1024 matmul over three tabs equals the CPU product, and every tab did tiles', async ({ coordinator, joinTabs }) => {
  const tabs = await joinTabs(3);
  for (const tab of tabs) await tensorLine(tab);
  const n = 1024;
  const a = randomMatrix(n, n, 1);
  const b = randomMatrix(n, n, 2);

  const c = await grid(coordinator).matmul(a, b, { tile: 256, name: 'matmul 1024' });

  expect(c.rows).toBe(n);
  expect(c.cols).toBe(n);
  const expected = matmulReference(a.data, b.data, { m: n, k: n, n, batch: 1, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false });
  // float32 sums of 1024 products: each entry within 1e-4 of its size plus 1e-3.
  let worst = { at: -1, excess: -Infinity };
  expected.forEach((value, at) => {
    const excess = Math.abs(c.data[at]! - value) - (1e-4 * Math.abs(value) + 1e-3);
    if (excess > worst.excess) worst = { at, excess };
  });
  expect(worst.excess, `entry ${worst.at}: ${c.data[worst.at]} vs ${expected[worst.at]}`).toBeLessThanOrEqual(0);

  const done = await Promise.all(tabs.map(async (tab) => (await readJoinPage(tab))?.tasksDone ?? 0));
  expect(done.reduce((sum, count) => sum + count, 0)).toBe(16);
  for (const count of done) expect(count).toBeGreaterThan(0);
});
