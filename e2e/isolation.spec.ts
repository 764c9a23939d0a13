import type { Page } from '@playwright/test';
import { sha256Hex } from '../shared/index.js';
import { Tabgrid, type Job } from '../sdk/index.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { openTabs } from './tabs.js';

/**
 * Task code is trusted by whoever submitted its job, and by nobody else: on a volunteer's tab it
 * must not reach the page's storage, another job's messages, or the code another job runs.
 */

const grid = (coordinator: CoordinatorProcess): Tabgrid => new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });

async function outputs(job: Job): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const { index, output } of job.results()) all[index] = output;
  return all;
}

const once = { retry: { maxAttempts: 1, distinctWorkers: 1 } } as const;

test("task code cannot reach the tab's IndexedDB, caches, storage, locks, channels or network", async ({ coordinator, joinTabs }) => {
  await joinTabs(1);
  // What an attacker's task would try: open the page's database (to read its identity and
  // outbox, or rewrite cached code), Cache Storage, the origin's file system, the page's locks,
  // a channel to other jobs' workers, a nested worker with a fresh scope, the coordinator.
  const code = `export default async () => {
    const reached = [];
    const tryIt = async (name, attempt) => { try { await attempt(); reached.push(name); } catch {} };
    await tryIt('indexedDB', () => new Promise((resolve, reject) => { const open = indexedDB.open('tabgrid-volunteer'); open.onsuccess = resolve; open.onerror = reject; }));
    await tryIt('indexedDB via the prototype', () => Object.getOwnPropertyDescriptor(WorkerGlobalScope.prototype, 'indexedDB').get.call(self).open('tabgrid-volunteer'));
    await tryIt('caches', () => caches.open('x'));
    await tryIt('navigator.storage', () => navigator.storage.getDirectory());
    await tryIt('navigator.locks', () => navigator.locks.request('tabgrid', () => undefined));
    await tryIt('BroadcastChannel', () => new BroadcastChannel('tabgrid').postMessage('hi'));
    await tryIt('Worker', () => new Worker('data:text/javascript,'));
    await tryIt('fetch', () => fetch('/api/v1/health'));
    await tryIt('WebSocket', () => new Promise((resolve, reject) => { const socket = new WebSocket(location.origin.replace('http', 'ws') + '/api/v1/worker'); socket.onopen = resolve; socket.onerror = reject; }));
    return reached;
  }`;
  const job = await grid(coordinator).submit({ name: 'reach', code, input: { items: [0] }, ...once });
  expect((await job.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  expect(await outputs(job)).toEqual([[]]);
});

test("a listener one job leaves in its worker sees none of another job's messages", async ({ browser, coordinator }) => {
  // One task worker in the tab (`workers=1`): the secret job runs in the very worker the spy listened in.
  const [tab] = await openTabs(browser, `${coordinator.joinUrl}&workers=1`, 1);
  try {
    const tabgrid = grid(coordinator);
    const gate = new TextEncoder().encode(`gate ${Date.now()}`);
    const gateSha = await sha256Hex(gate);
    // Task 0 listens to every message its worker gets, then waits for the gate blob (the test
    // puts it once the secret job is queued); task 1 runs after the secret job and says what it heard.
    const spy = `export default async (item, ctx) => {
      if (item === 'listen') {
        self.heard = [];
        self.addEventListener('message', (event) => self.heard.push(JSON.stringify(event.data)));
        for (;;) {
          try { await ctx.blob({ blob: '${gateSha}' }); return 'listening'; } catch { await new Promise((wake) => setTimeout(wake, 100)); }
        }
      }
      return self.heard ?? 'a fresh worker';
    }`;
    const spying = await tabgrid.submit({ name: 'spy', code: spy, input: { items: ['listen', 'report'] }, dependencies: [[0, 1]], ...once });
    await expect.poll(async () => (await spying.status()).progress.running, { timeout: 30_000 }).toBe(1);
    const secret = await tabgrid.submit({ name: 'secret', code: 'export default (x) => x.length', input: { items: ['the secret input'] }, priority: 10, ...once });
    await tabgrid.putBlob(gate);
    expect((await secret.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    expect((await spying.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
    const [listening, heard] = await outputs(spying);
    expect(listening).toBe('listening');
    // The secret job ran between the spy's two tasks, on the same tab...
    const secretEnded = Date.parse((await secret.status()).updatedAt);
    expect(secretEnded).toBeLessThanOrEqual(Date.parse((await spying.status()).updatedAt));
    // ...and the spy heard nothing of it: not its input, not its code, not its lease.
    expect(JSON.stringify(heard)).not.toContain('the secret input');
    expect(JSON.stringify(heard)).not.toContain(secret.id);
  } finally {
    await tab!.context().close();
  }
});

/** Overwrites the bytes of one cached blob in the page's IndexedDB, as anything with access to the storage could. */
function poisonCachedBlob(page: Page, sha: string, text: string): Promise<void> {
  return page.evaluate(
    ({ sha, text }) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('tabgrid-volunteer');
        request.onerror = () => reject(request.error ?? new Error('open failed'));
        request.onsuccess = () => {
          const db = request.result;
          const put = db.transaction('blobBytes', 'readwrite').objectStore('blobBytes').put({ sha, bytes: new TextEncoder().encode(text) });
          put.onsuccess = () => {
            db.close();
            resolve();
          };
          put.onerror = () => reject(put.error ?? new Error('write failed'));
        };
      }),
    { sha, text },
  );
}

test('a poisoned blob in the tab cache is refused, downloaded again and replaced: the job runs its own code', async ({ coordinator, joinTabs }) => {
  const [tab] = await joinTabs(1);
  const tabgrid = grid(coordinator);
  const code = "export default () => 'genuine'";
  const first = await tabgrid.submit({ name: 'first', code, input: { items: [0] }, ...once });
  expect((await first.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');

  await poisonCachedBlob(tab!, await sha256Hex(code), "export default () => 'poisoned'");
  // A reload forgets the sources kept in memory: the next lease reads the cache.
  await tab!.reload();
  await expect.poll(() => tab!.evaluate(() => window.tabgrid?.state), { timeout: 30_000 }).toBe('connected');
  const second = await tabgrid.submit({ name: 'second', code, input: { items: [0] }, ...once });
  expect((await second.wait({ timeoutMs: 60_000 })).state).toBe('COMPLETED');
  expect(await outputs(second)).toEqual(['genuine']);
  await expect(tab!.getByTestId('log')).toContainText('does not match its SHA-256');
});
