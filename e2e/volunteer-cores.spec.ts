import type { TaskStatus } from '../shared/index.js';
import { getJson } from './api.js';
import { expect, test } from './fixtures.js';
import { gridOf, leasesHeld, openVolunteerTab, sleepingTask, twoCores, volunteerStatus } from './volunteer-tab.js';

/**
 * Every core the volunteer allows: one tab runs a task Web Worker per core its CPU limit covers,
 * each holding its own lease, and a lowered limit brings it to fewer. The tabs see 2 cores (this
 * machine's; pinned by an init script so that the test means the same elsewhere).
 */

test('one tab runs two tasks at once on a 2-core machine: both leases held at the same moment, both done', async ({ browser, coordinator }) => {
  const { tab } = await openVolunteerTab(browser, coordinator, [twoCores]);
  try {
    const { workerId, workers } = (await volunteerStatus(tab))!;
    expect(workers).toBe(2);
    await expect(tab.getByTestId('workers-why')).toHaveText('2 workers: 2 cores × 100 %');

    const job = await gridOf(coordinator).submit({ name: 'two at once', code: sleepingTask(3000), input: { items: [0, 1], chunkSize: 1 } });
    // The coordinator's word: this one worker holds both tasks' leases at once.
    await expect.poll(async () => (await leasesHeld(coordinator, workerId)).map((task) => task.taskIndex).sort(), { timeout: 30_000 }).toEqual([0, 1]);
    // The page's: two leases, one line per worker, each naming its task.
    await expect.poll(async () => (await volunteerStatus(tab))?.leases).toBe(2);
    await expect(tab.getByTestId('workers').locator('li')).toHaveCount(2);
    await expect(tab.getByTestId('workers')).toContainText('two at once · task 0');
    await expect(tab.getByTestId('workers')).toContainText('two at once · task 1');

    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
    expect(tasks.map((task) => [task.state, task.attempts])).toEqual([
      ['done', 1],
      ['done', 1],
    ]);
  } finally {
    await tab.context().close();
  }
});

test('a CPU limit lowered to 50 % on 2 cores brings the tab to one worker; running tasks finish, none is killed', async ({ browser, coordinator }) => {
  const { tab } = await openVolunteerTab(browser, coordinator, [twoCores]);
  try {
    const { workerId } = (await volunteerStatus(tab))!;
    const job = await gridOf(coordinator).submit({ name: 'lowered', code: sleepingTask(1500), input: { items: [0, 1, 2, 3, 4, 5], chunkSize: 1 } });
    await expect.poll(async () => (await leasesHeld(coordinator, workerId)).length, { timeout: 30_000 }).toBe(2);

    await tab.getByTestId('cpu-limit').selectOption('0.5');
    await expect.poll(async () => (await volunteerStatus(tab))?.workers).toBe(1);
    await expect(tab.getByTestId('workers-why')).toHaveText('1 worker: 2 cores × 50 %');
    // The two running tasks finish; from then on the tab runs one task at a time. (Counted on the
    // page: the coordinator may list two leases for a moment, the next one granted before the
    // last one's result, sent after it is kept in IndexedDB, has arrived.)
    await expect.poll(async () => (await volunteerStatus(tab))?.leases, { timeout: 30_000 }).toBeLessThanOrEqual(1);
    let most = 0;
    while ((await job.status()).progress.done < 6) {
      most = Math.max(most, (await volunteerStatus(tab))?.leases ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(most).toBe(1);
    expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    const { tasks } = await getJson<{ tasks: TaskStatus[] }>(coordinator, `/jobs/${job.id}/tasks`);
    // Not one was aborted and run again.
    expect(tasks.map((task) => task.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(JSON.parse((await tab.evaluate(() => localStorage.getItem('tabgrid.settings'))) ?? '{}')).toMatchObject({ cpuShare: 0.5 });
  } finally {
    await tab.context().close();
  }
});
