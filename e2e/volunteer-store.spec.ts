import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { LabOpened, LabOpenOptions } from '../web-worker/store/lab-protocol.js';
import { startStaticServer, type StaticServer } from './static-server.js';

/**
 * The volunteer's store against a real IndexedDB, real Web Locks and real tabs of one browser:
 * the lab page built by Vite (`web-worker/store/lab.html`) exposes it as `window.storeLab`.
 */
const test = base.extend<{ lab: StaticServer }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring
  lab: async ({}, use) => {
    const server = await startStaticServer();
    await use(server);
    await server.close();
  },
});

const SCENARIOS = [
  'a lease is kept with its latest checkpoint, and dropped',
  'finished reports wait in the outbox in order until acknowledged',
  'the worker id and stats are kept',
];

async function openLab(context: BrowserContext, lab: StaticServer): Promise<Page> {
  const page = await context.newPage();
  await gotoLab(page, lab);
  return page;
}

async function gotoLab(page: Page, lab: StaticServer): Promise<void> {
  await page.goto(`${lab.url}/web-worker/store/lab.html`);
  await page.waitForFunction(() => 'storeLab' in window);
}

const open = (page: Page, options: LabOpenOptions): Promise<LabOpened> => page.evaluate((o) => window.storeLab.open(o), options);

function opened(result: LabOpened): Extract<LabOpened, { ok: true }> {
  if (!result.ok) throw new Error(`the store did not open: ${result.error.name}: ${result.error.message}`);
  return result;
}

test('the store contract holds on a real IndexedDB', async ({ context, lab }) => {
  const page = await openLab(context, lab);
  for (const [index, scenario] of SCENARIOS.entries()) {
    opened(await open(page, { name: `contract-${index}` }));
    expect(await page.evaluate((name) => window.storeLab.scenario(name), scenario), scenario).toBeNull();
    await page.evaluate(() => window.storeLab.close());
  }
  opened(await open(page, { name: 'contract-blobs', blobCacheBytes: 100 }));
  expect(await page.evaluate(() => window.storeLab.blobScenario())).toBeNull();
});

test("a tab keeps its identity across a reload; a duplicated tab and a sibling tab get their own; a closed tab's work is adopted", async ({
  context,
  lab,
}) => {
  const name = 'identity';
  const first = await openLab(context, lab);
  const own = opened(await open(first, { name }));
  expect(own.source).toBe('new');
  await first.evaluate(() => window.storeLab.saveWorkerId('w-first'));
  await first.evaluate(() => window.storeLab.saveLease('l-first', { user: { step: 3 } }));

  await first.reload();
  await first.waitForFunction(() => 'storeLab' in window);
  const reloaded = opened(await open(first, { name }));
  expect(reloaded).toMatchObject({ tabKey: own.tabKey, source: 'reloaded', workerId: 'w-first', leases: ['l-first'] });

  // A duplicated tab copies sessionStorage, so it names the same key: the lock tells it apart.
  const [duplicate] = await Promise.all([context.waitForEvent('page'), first.evaluate(() => void window.open(location.href))]);
  await duplicate.waitForFunction(() => 'storeLab' in window);
  expect(await duplicate.evaluate(() => sessionStorage.getItem('tabgrid.tabKey'))).toBe(own.tabKey);
  const duplicated = opened(await open(duplicate, { name, reclaimWaitMs: 500 }));
  expect(duplicated.tabKey).not.toBe(own.tabKey);
  expect(duplicated).toMatchObject({ source: 'new', workerId: null, leases: [] });

  const sibling = await openLab(context, lab);
  const siblings = opened(await open(sibling, { name }));
  expect(new Set([own.tabKey, duplicated.tabKey, siblings.tabKey]).size).toBe(3);

  // The first tab closes with a lease held: the next new tab takes its identity and its work;
  // the idle identities of closed tabs are deleted on the way.
  await first.close();
  await duplicate.close();
  const next = await openLab(context, lab);
  const adopted = opened(await open(next, { name }));
  expect(adopted).toMatchObject({ tabKey: own.tabKey, source: 'adopted', workerId: 'w-first', leases: ['l-first'] });
  const rows = await next.evaluate((db) => window.storeLab.rows(db), name);
  expect(rows.identities.map((row) => row.tabKey).sort()).toEqual([own.tabKey, siblings.tabKey].sort());
  expect(rows.leases).toEqual([{ leaseId: 'l-first', tabKey: own.tabKey, checkpoint: { user: { step: 3 } } }]);
});

test("what a tab asks to write in one turn goes into one transaction, in the order asked, and a reload reads it back", async ({ context, lab }) => {
  const name = 'one-turn';
  const page = await openLab(context, lab);
  opened(await open(page, { name }));
  await page.evaluate(() => window.storeLab.saveLease('first'));
  // A task's report and its compute time, its acknowledgement and the result counted, the next lease.
  expect(await page.evaluate(() => window.storeLab.oneTurnOfWrites('first', 'second'))).toBe(1);
  await page.evaluate(() => window.storeLab.close());
  const rows = await page.evaluate((db) => window.storeLab.rows(db), name);
  expect(rows.leases.map((row) => row.leaseId)).toEqual(['second']);
  expect(rows.outbox).toEqual([]);
  const again = opened(await open(page, { name }));
  expect(again.leases).toEqual(['second']);
  expect(again.outbox).toEqual([]);
  expect(await page.evaluate(() => window.storeLab.stats())).toEqual({ tasksDone: 1, computeMs: 5 });
});

test('two tabs write side by side without mixing their rows', async ({ context, lab }) => {
  const name = 'side-by-side';
  const tabs = [await openLab(context, lab), await openLab(context, lab)];
  const keys = await Promise.all(tabs.map(async (tab) => opened(await open(tab, { name })).tabKey));
  await Promise.all(
    tabs.map((tab, index) =>
      tab.evaluate(async (prefix) => {
        for (let i = 0; i < 20; i += 1) {
          await window.storeLab.saveLease(`${prefix}-${i}`, { user: { i } });
          if (i % 2 === 0) await window.storeLab.finishLease(`${prefix}-${i}`);
        }
      }, `tab${index}`),
    ),
  );
  const rows = await tabs[0]!.evaluate((db) => window.storeLab.rows(db), name);
  for (const [index, key] of keys.entries()) {
    const prefix = `tab${index}`;
    const leases = rows.leases.filter((row) => row.tabKey === key);
    expect(leases.map((row) => row.leaseId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${prefix}-${2 * i + 1}`).sort());
    for (const row of leases) expect(row.checkpoint).toEqual({ user: { i: Number(row.leaseId.split('-')[1]) } });
    const outbox = rows.outbox.filter((row) => row.tabKey === key).map((row) => row.leaseId);
    expect(outbox).toEqual(Array.from({ length: 10 }, (_, i) => `${prefix}-${2 * i}`));
  }
  expect(rows.leases).toHaveLength(20);
  expect(rows.outbox).toHaveLength(20);
  // Each tab reads back only its own.
  for (const [index, tab] of tabs.entries()) {
    await tab.reload();
    await tab.waitForFunction(() => 'storeLab' in window);
    const again = opened(await open(tab, { name }));
    expect(again.tabKey).toBe(keys[index]);
    expect(again.outbox).toEqual(Array.from({ length: 10 }, (_, i) => `tab${index}-${2 * i}`));
  }
});

test('the blob cache is shared by the tabs of a browser and evicts the least recently used across them', async ({ context, lab }) => {
  const name = 'blobs';
  const [a, b, c] = ['a', 'b', 'c'].map((letter) => letter.repeat(64)) as [string, string, string];
  const one = await openLab(context, lab);
  const two = await openLab(context, lab);
  opened(await open(one, { name, blobCacheBytes: 100 }));
  opened(await open(two, { name, blobCacheBytes: 100 }));
  expect(await one.evaluate((sha) => window.storeLab.putBlob(sha, 40, 1), a)).toBeNull();
  expect(await two.evaluate((sha) => window.storeLab.putBlob(sha, 40, 2), b)).toBeNull();
  // Tab two reads a, so b is now the least recently used; tab one's put of c evicts it.
  expect(await two.evaluate((sha) => window.storeLab.blobLength(sha), a)).toBe(40);
  expect(await one.evaluate((sha) => window.storeLab.putBlob(sha, 40, 3), c)).toBeNull();
  expect(await two.evaluate((sha) => window.storeLab.blobLength(sha), b)).toBeNull();
  expect(await two.evaluate((sha) => window.storeLab.blobLength(sha), c)).toBe(40);
  expect(await one.evaluate((sha) => window.storeLab.blobLength(sha), a)).toBe(40);
  const rows = await one.evaluate((db) => window.storeLab.rows(db), name);
  expect(rows.blobs).toEqual([c, a]);
});

test('IndexedDB failures become named errors, and the page store goes on in memory', async ({ browser, context, lab }) => {
  // An upgrade blocked by another tab holding an old version open.
  // (An open refused that way stays queued in the browser until the holder lets go, so the page
  // store is tried on a second database.)
  const holder = await openLab(context, lab);
  await holder.evaluate(() => Promise.all([window.storeLab.holdOldVersion('blocked'), window.storeLab.holdOldVersion('blocked-too')]));
  const blocked = await openLab(context, lab);
  const refused = await open(blocked, { name: 'blocked', blockedGraceMs: 300 });
  expect(refused).toMatchObject({ ok: false, error: { name: 'StorageUpgradeError' } });
  expect(await blocked.evaluate(() => window.storeLab.resilientOpen({ name: 'blocked-too', blockedGraceMs: 300 }))).toMatchObject({
    durable: false,
    problem: { name: 'StorageUpgradeError' },
  });

  // The quota used up mid-run.
  const full = await openLab(context, lab);
  const cdp = await context.newCDPSession(full);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: lab.url, quotaSize: 512 * 1024 });
  const quota = await full.evaluate(() => window.storeLab.resilientPut({ name: 'quota', blobCacheBytes: 64 * 1024 * 1024 }, 4 * 1024 * 1024));
  expect(quota).toMatchObject({ durable: false, problem: { name: 'StorageQuotaError' } });

  // A browser without IndexedDB (as some private windows are).
  const bare = await browser.newContext();
  try {
    await bare.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { get: () => undefined });
    });
    const page = await openLab(bare, lab);
    expect(await open(page, { name: 'none' })).toMatchObject({ ok: false, error: { name: 'StorageUnavailableError' } });
    expect(await page.evaluate(() => window.storeLab.resilientOpen({ name: 'none' }))).toMatchObject({
      durable: false,
      problem: { name: 'StorageUnavailableError' },
    });
  } finally {
    await bare.close();
  }
});
