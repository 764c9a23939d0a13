import type { Browser, Page } from '@playwright/test';
import type { WorkerStatus } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import type { VolunteerStatus } from '../web-worker/page/status.js';
import { getJson } from './api.js';
import type { CoordinatorProcess } from './coordinator.js';
import { expect } from './fixtures.js';
import { recordSentMessages, type SentMessages } from './tabs.js';

/** A script run in the page before its own code: what it leaves in `window` stands beside the real page. */
export type InitScript = () => void;

/** A join page, and what it sends on its worker sockets. */
export interface VolunteerTab {
  tab: Page;
  sent: SentMessages;
}

/**
 * Opens a join page in a browser context of its own, with `init` scripts run before the page's
 * code, recording what it sends from its first socket on, and waits until it is welcomed
 * (connected, or paused at once). Close it with `tab.context().close()`.
 * @example const { tab } = await openVolunteerTab(browser, coordinator, [twoCores]);
 */
export async function openVolunteerTab(browser: Browser, coordinator: CoordinatorProcess, init: InitScript[]): Promise<VolunteerTab> {
  const context = await browser.newContext();
  for (const script of init) await context.addInitScript(script);
  const tab = await context.newPage();
  const sent = recordSentMessages(tab);
  await tab.goto(coordinator.joinUrl);
  await expect.poll(async () => (await volunteerStatus(tab))?.workerId, { timeout: 30_000, message: 'the tab is welcomed' }).toBeTruthy();
  return { tab, sent };
}

/**
 * Makes the page see a 2-core machine, as this one is: the tests mean the same wherever they run.
 * (The page reads `navigator.hardwareConcurrency` once, at start.)
 */
export const twoCores: InitScript = () => {
  Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { configurable: true, get: () => 2 });
};

/** `window.tabgrid` of a join page. */
export function volunteerStatus(page: Page): Promise<VolunteerStatus | undefined> {
  return page.evaluate(() => window.tabgrid);
}

/** The leases the coordinator says this worker holds now, as its REST API lists them. */
export async function leasesHeld(coordinator: CoordinatorProcess, workerId: string | undefined): Promise<WorkerStatus['currentTasks']> {
  const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
  return workers.find((worker) => worker.id === workerId)?.currentTasks ?? [];
}

/** The SDK on a coordinator process, polling often. */
export function gridOf(coordinator: CoordinatorProcess): Tabgrid {
  return new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 100 });
}

/** Task code that sleeps `ms` and returns its item. */
export function sleepingTask(ms: number): string {
  return `export default async (x) => { await new Promise((r) => setTimeout(r, ${ms})); return x; }`;
}
