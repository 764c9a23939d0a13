import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type Page, expect, test } from '@playwright/test';
import type { CommLab, LabFloats, LabOutcome } from '../web-worker/comm/index.js';
import { segmentBounds } from '../worker/index.js';
import { expectedReduction, firstMismatch, rankValues } from '../worker/testing.js';
import { type SignallingServer, decodeFloats, labConsoles, openCommGang, openLabTab, runOnGang, startSignallingServer } from './comm-gang.js';
import { type StaticServer, startStaticServer } from './static-server.js';

// Collectives between 4 real headless Chromium tabs over WebRTC data channels, brokered by a
// PeerJS server on loopback (`npm run build` first). Each tab runs the comm lab page in its own
// browser context; rank r's vector is rankValues(r, n), so every result is known exactly.

declare const window: { commLab: CommLab };

const LAB_PAGE = resolve(import.meta.dirname, '../dist/web/web-worker/comm/lab.html');
const SIZE = 4;
// 65537 floats: 4 segments of 16384-16385 floats, each one full 65504-byte chunk and a short one.
const LENGTHS = [1, 7, 65537];

test.describe.configure({ mode: 'serial' });

let site: StaticServer;
let signalling: SignallingServer;
let labUrl: string;
let tabs: Page[] = [];
let ids: readonly string[] = [];

test.beforeAll(async () => {
  if (!existsSync(LAB_PAGE)) throw new Error(`${LAB_PAGE} is missing: run \`npm run build\` first`);
  site = await startStaticServer();
  signalling = await startSignallingServer();
  labUrl = `${site.url}/web-worker/comm/lab.html`;
});

test.afterAll(async () => {
  await Promise.all(tabs.map((page) => page.context().close()));
  await signalling.close();
  await site.close();
});

test.afterEach(async ({ browserName: _ }, testInfo) => {
  if (testInfo.status === testInfo.expectedStatus) return;
  for (const [rank, page] of tabs.entries()) {
    await testInfo.attach(`rank ${rank} console`, { body: (labConsoles.get(page) ?? []).join('\n'), contentType: 'text/plain' });
  }
});

function results(outcomes: LabOutcome[], label: string): unknown[] {
  return outcomes.map((outcome, rank) => {
    if (!outcome.ok) throw new Error(`${label} on rank ${rank} threw ${outcome.error.name}: ${outcome.error.message}`);
    return outcome.result;
  });
}

function expectFloats(actual: unknown, expected: Float32Array, label: string): void {
  const values = decodeFloats(actual as LabFloats);
  const at = firstMismatch(values, expected);
  expect(at, `${label}: first mismatch at ${at} (${values[at]} vs ${expected[at]})`).toBe(-1);
}

test('four tabs form a gang over PeerJS and every collective is exact', async ({ browser }) => {
  ({ tabs, ids } = await openCommGang(browser, labUrl, signalling, SIZE));
  for (const length of LENGTHS) {
    for (const op of ['sum', 'mean', 'max', 'min'] as const) {
      const sums = results(await runOnGang(tabs, { collective: 'allReduce', length, op }), `allReduce ${op} of ${length}`);
      sums.forEach((sum, rank) => expectFloats(sum, expectedReduction(op, SIZE, length), `allReduce ${op} of ${length} on rank ${rank}`));
    }
    const scattered = results(await runOnGang(tabs, { collective: 'reduceScatter', length, op: 'max' }), 'reduceScatter');
    scattered.forEach((part, rank) => expectFloats(part, expectedReduction('max', SIZE, length).slice(...segmentBounds(length, SIZE, rank)), `reduceScatter on ${rank}`));
    const reduced = results(await runOnGang(tabs, { collective: 'reduce', length, root: 3 }), 'reduce');
    reduced.forEach((value, rank) => (rank === 3 ? expectFloats(value, expectedReduction('sum', SIZE, length), 'reduce') : expect(value).toBeNull()));
    const broadcast = results(await runOnGang(tabs, { collective: 'broadcast', length, root: 2 }), 'broadcast');
    broadcast.forEach((value, rank) => expectFloats(value, rankValues(2, length), `broadcast to ${rank}`));
    const gathered = results(await runOnGang(tabs, { collective: 'gather', length, root: 1 }), 'gather');
    gathered.forEach((values, rank) => {
      if (rank !== 1) expect(values).toBeNull();
      else (values as LabFloats[]).forEach((value, from) => expectFloats(value, rankValues(from, length), `gathered from ${from}`));
    });
    const everyone = results(await runOnGang(tabs, { collective: 'allGather', length }), 'allGather');
    for (const values of everyone) (values as LabFloats[]).forEach((value, from) => expectFloats(value, rankValues(from, length), `allGathered from ${from}`));
    const passed = results(await runOnGang(tabs, { collective: 'sendRecv', length }), 'sendRecv');
    passed.forEach((value, rank) => expectFloats(value, rankValues((rank + SIZE - 1) % SIZE, length), `received by ${rank}`));
  }
  results(await runOnGang(tabs, { collective: 'barrier', length: 0 }), 'barrier');
  const json = results(await runOnGang(tabs, { collective: 'json', length: 0, root: 1 }), 'json');
  const gathered = Array.from({ length: SIZE }, (_, rank) => ({ rank, text: `tab ${rank}` }));
  for (const value of json) expect(value).toEqual({ gathered, announced: { from: 1, list: [1, 'two', null] } });
  const tensors = results(await runOnGang(tabs, { collective: 'allReduce', length: 300_001, tensor: true }), 'tensor allReduce');
  for (const tensor of tensors) {
    expect((tensor as LabFloats).shape).toEqual([300_001]);
    expectFloats(tensor, expectedReduction('sum', SIZE, 300_001), 'tensor allReduce');
  }
});

test('tabs join from URL parameters alone', async ({ browser }) => {
  const pair = [`url-${Date.now()}-0`, `url-${Date.now()}-1`];
  const joined = await Promise.all(
    pair.map(async (_, rank) => {
      const page = await openLabTab(browser, `${labUrl}?rank=${rank}&size=2&ids=${pair.join(',')}&peerHost=${signalling.host}&peerPort=${signalling.port}&peerPath=${signalling.path}&key=${signalling.key}`);
      await page.waitForFunction(() => document.body.dataset['state'] !== undefined);
      return page;
    }),
  );
  try {
    expect(await Promise.all(joined.map((page) => page.evaluate(() => document.body.dataset['state'])))).toEqual(['ready', 'ready']);
    const outcomes = await runOnGang(joined, { collective: 'allReduce', length: 3, op: 'max' });
    results(outcomes, 'allReduce of the URL gang').forEach((value) => expectFloats(value, expectedReduction('max', 2, 3), 'URL gang'));
  } finally {
    await Promise.all(joined.map((page) => page.context().close()));
  }
});

test('a peer that is not a member is refused and changes nothing', async ({ browser }) => {
  const stranger = await openLabTab(browser, labUrl);
  try {
    const dial = await stranger.evaluate((request) => window.commLab.dialAsStranger(request), {
      ownId: `stranger-${Date.now()}`,
      targetId: ids[0]!,
      peerHost: signalling.host,
      peerPort: signalling.port,
      peerPath: signalling.path,
      key: signalling.key,
      waitMs: 3000,
    });
    expect(dial.opened).toBe(false);
  } finally {
    await stranger.context().close();
  }
  const stats = await tabs[0]!.evaluate(() => window.commLab.stats());
  expect(stats.refusedConnections).toBeGreaterThanOrEqual(1);
  const sums = results(await runOnGang(tabs, { collective: 'allReduce', length: 1000 }), 'allReduce after the stranger');
  for (const sum of sums) expectFloats(sum, expectedReduction('sum', SIZE, 1000), 'allReduce after the stranger');
});

/**
 * Starts an allReduce on a fresh gang, ends rank 3 by `end` once every rank has received part of
 * the exchange, and returns what the others got: each rejected, with a named error.
 */
async function loseRankMidAllReduce(browser: Browser, timeoutMs: number, end: (tab: Page) => Promise<void>): Promise<LabOutcome[]> {
  await Promise.all(tabs.map((page) => page.context().close()));
  ({ tabs, ids } = await openCommGang(browser, labUrl, signalling, SIZE, { timeoutMs }));
  const request = { collective: 'allReduce' as const, length: 8 * 1024 * 1024 };
  const pending = tabs.slice(0, 3).map((page) => page.evaluate((lab) => window.commLab.run(lab), request));
  // The ending tab's call is left running in the tab: an evaluate on a crashed tab never settles.
  await tabs[3]!.evaluate((lab) => {
    void window.commLab.run(lab);
  }, request);
  // Mid-allReduce: every rank has heard from the others (32 MiB each takes far longer to finish).
  for (const [rank, page] of tabs.entries()) {
    await expect.poll(() => page.evaluate(() => window.commLab.stats().comm.bytesReceived), { message: `rank ${rank} received nothing`, timeout: 60_000 }).toBeGreaterThan(0);
  }
  await end(tabs[3]!);
  const survivors = await Promise.all(pending);
  tabs = tabs.slice(0, 3);
  for (const [rank, outcome] of survivors.entries()) {
    expect(outcome.ok, `rank ${rank} finished an allReduce that lost a member`).toBe(false);
    if (outcome.ok) continue;
    expect(['PeerLostError', 'CollectiveTimeoutError'], outcome.error.message).toContain(outcome.error.name);
    // Within the timeout: a timeout is the one configured; a loss is seen before it.
    if (outcome.error.name === 'CollectiveTimeoutError') expect(outcome.error.message).toContain(`timed out after ${timeoutMs} ms`);
  }
  return survivors;
}

test('closing one tab mid-allReduce makes the others reject with PeerLostError at once', async ({ browser }) => {
  // The goodbye must decide, not the clock: the timeout only stops a survivor that heard nothing,
  // and starts with the allReduce, long before a busy machine has closed the tab.
  const survivors = await loseRankMidAllReduce(browser, 60_000, async (tab) => {
    // With runBeforeUnload, close() does not wait for the page to go: closing its context at once
    // could kill it before its pagehide handler has closed the channels.
    const closed = new Promise((done) => tab.once('close', done));
    await tab.close({ runBeforeUnload: true });
    await closed;
    await tab.context().close();
  });
  // The closing tab closes its channels on pagehide; on a loaded machine a survivor's ICE check can
  // still see the loss first (seen under npm run test:stress). Either way it is a loss, not a timeout.
  for (const outcome of survivors) {
    expect(!outcome.ok && outcome.error.name).toBe('PeerLostError');
    expect(!outcome.ok && outcome.error.message).toMatch(/^rank 3 is lost: (the data channel to .* closed|ICE to .* stayed disconnected)/);
  }
});

test('a tab that crashes makes the others reject within the timeout', async ({ browser }) => {
  // A crashed renderer says no goodbye: the survivors notice through ICE (disconnected, then
  // the grace period) or, failing that, the timeout.
  await loseRankMidAllReduce(browser, 15_000, async (tab) => {
    const devtools = await tab.context().newCDPSession(tab);
    const crashed = new Promise((done) => tab.once('crash', done));
    // Page.crash is never answered: the renderer it would answer from is gone.
    void devtools.send('Page.crash').catch(() => undefined);
    await crashed;
    await tab.context().close();
  });
});
