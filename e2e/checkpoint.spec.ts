import type { Page } from '@playwright/test';
import type { ItemResult, LogEntry, TaskStatus } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import type { VolunteerStatus } from '../web-worker/page/status.js';
import { getJson, getLines } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { consoleOf, idbRows } from './tabs.js';

/**
 * A checkpoint is what the coordinator has: in a real tab, task code cannot checkpoint a state
 * JSON would change (it is told where and why), and a checkpoint the coordinator refused is not
 * what the tab resumes from after a reload.
 */

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });

async function logLines(coordinator: CoordinatorProcess, jobId: string): Promise<string[]> {
  return (await getLines<LogEntry>(coordinator, `/jobs/${jobId}/logs`)).map((line) => line.message);
}

function status(page: Page): Promise<VolunteerStatus | undefined> {
  return page.evaluate(() => window.tabgrid);
}

/** The checkpoint the tab's IndexedDB holds for its one lease. */
async function storedCheckpoint(page: Page): Promise<unknown> {
  const rows = await idbRows<{ checkpointJson: string | null }>(page, 'leases');
  const json = rows[0]?.checkpointJson;
  return typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
}

test('ctx.checkpoint refuses a typed array, saying where it is and what to do', async ({ coordinator, joinTabs }) => {
  await joinTabs(1);
  const code = `export default async (x, ctx) => {
    try {
      await ctx.checkpoint({ step: 1, w: new Float32Array(3) });
      return 'checkpointed';
    } catch (error) {
      return error.name + ': ' + error.message;
    }
  }`;
  const job = await grid(coordinator).submit({ name: 'typed array checkpoint', code, input: { items: [1] } });
  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  expect(await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`)).toEqual([
    { index: 0, output: 'CheckpointStateError: checkpoint state at .w is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob' },
  ]);
});

test('a task output that is a typed array fails the task with where it is', async ({ coordinator, joinTabs }) => {
  await joinTabs(1);
  const code = `export default async (x) => ({ sum: x, values: new Float32Array([x]) })`;
  const job = await grid(coordinator).submit({ name: 'typed array output', code, input: { items: [1] }, retry: { maxAttempts: 1, distinctWorkers: 1 } });
  await expect(job.wait({ timeoutMs: 60_000 })).rejects.toMatchObject({ name: 'JobFailedError', state: 'FAILED' });
  const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
  expect(tasks[0]?.error).toContain('the output of item 0 at .values is a Float32Array, which JSON cannot carry');
});

test.describe('a checkpoint the coordinator refused', () => {
  test.use({ coordinatorOptions: { leaseMs: 10_000 } });

  test('is not what a reloaded tab resumes from: it resumes from the last stored one', async ({ coordinator, joinTabs }) => {
    const [tab] = await joinTabs(1);
    // The coordinator refuses checkpoints over 1 MiB (its default maxCheckpointBytes).
    const code = `export default async (x, ctx) => {
      if (ctx.restored !== undefined) return { resumedFrom: ctx.restored };
      ctx.log('small ' + (await ctx.checkpoint({ step: 1 }) ? 'stored' : 'refused'));
      ctx.log('big ' + (await ctx.checkpoint({ step: 2, pad: 'x'.repeat(1200000) }) ? 'stored' : 'refused'));
      return new Promise(() => {});
    }`;
    const job = await grid(coordinator).submit({ name: 'refused checkpoint', code, input: { items: [1] } });
    await expect.poll(() => logLines(coordinator, job.id), { timeout: 30_000 }).toEqual(expect.arrayContaining(['small stored', 'big refused']));
    // The tab took the refused checkpoint back: its store holds the stored one again.
    await expect.poll(async () => ((await storedCheckpoint(tab!)) as { user?: unknown } | null)?.user, { timeout: 15_000 }).toEqual({ step: 1 });

    await tab!.reload();
    await expect.poll(async () => (await status(tab!))?.state, { timeout: 30_000 }).toBe('connected');
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    expect(await getLines<ItemResult>(coordinator, `/jobs/${job.id}/results`)).toEqual([{ index: 0, output: { resumedFrom: { step: 1 } } }]);
    // The same lease went on after the reload: the tab resumed it, not a new attempt.
    const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
    expect(tasks[0]).toMatchObject({ state: 'done', attempts: 1 });
    expect(consoleOf(tab!).join('\n')).not.toContain('pageerror');
  });
});
