import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerServer } from 'peer';
import type { Browser, Page } from 'playwright-core';
import type { CommLab, CommLabJoin, LabFloats, LabOutcome, LabRun } from '../web-worker/comm/index.js';

// Gangs of comm lab tabs for the browser tests (e2e/comm.spec.ts) and the benchmark
// (bench/comm.ts): a PeerJS signalling server on 127.0.0.1, and tabs that each have their own
// browser context (as volunteers' tabs would be separate browsers).

declare const window: { commLab: CommLab };

/** A running PeerJS signalling server. */
export interface SignallingServer {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly key: string;
  close(): Promise<void>;
}

/**
 * The `peer` package's server on 127.0.0.1 at a free port.
 * @example const signalling = await startSignallingServer(); await signalling.close();
 */
export function startSignallingServer(key = 'tabgrid'): Promise<SignallingServer> {
  const path = '/peerjs';
  return new Promise((resolve, reject) => {
    const app = PeerServer({ host: '127.0.0.1', port: 0, path, key }, (server: Server) => {
      const { port } = server.address() as AddressInfo;
      resolve({ host: '127.0.0.1', port, path, key, close: () => closeServer(server) });
    });
    app.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    // Upgraded sockets (the tabs' signalling websockets) are not closed by closeAllConnections:
    // give them a moment, then go on.
    const fallback = setTimeout(done, 2000);
    server.close(() => {
      clearTimeout(fallback);
      done();
    });
    server.closeAllConnections();
  });
}

/** Console lines of the lab tabs, for failure reports. */
export const labConsoles = new WeakMap<Page, string[]>();

/** What `openCommGang` may change of the join. */
export type GangOptions = Partial<Pick<CommLabJoin, 'timeoutMs' | 'messageBytes'>>;

/** A gang of lab tabs: the tabs by rank, and their PeerJS ids. */
export interface LabGang {
  readonly tabs: Page[];
  readonly ids: readonly string[];
}

/**
 * Opens `size` lab tabs at `labUrl`, each in its own context, and forms them into a gang.
 * @example const { tabs } = await openCommGang(browser, `${site.url}/web-worker/comm/lab.html`, signalling, 4);
 */
export async function openCommGang(browser: Browser, labUrl: string, signalling: SignallingServer, size: number, options: GangOptions = {}): Promise<LabGang> {
  const run = randomUUID().slice(0, 8);
  const ids = Array.from({ length: size }, (_, rank) => `comm-${run}-${rank}`);
  const pages = await Promise.all(ids.map(() => openLabTab(browser, labUrl)));
  const joins = pages.map((page, rank) => {
    const join: CommLabJoin = { rank, size, ids, peerHost: signalling.host, peerPort: signalling.port, peerPath: signalling.path, key: signalling.key, ...options };
    return page.evaluate((request) => window.commLab.start(request), join);
  });
  const settled = await Promise.allSettled(joins);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) {
    const consoles = pages.map((page, rank) => `rank ${rank}:\n${(labConsoles.get(page) ?? []).join('\n')}`).join('\n');
    await Promise.all(pages.map((page) => page.context().close()));
    throw new Error(`the gang did not form: ${String(failed.reason)}\n${consoles}`);
  }
  return { tabs: pages, ids };
}

/** A lab tab that has loaded, not yet in a gang. */
export async function openLabTab(browser: Browser, labUrl: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const lines: string[] = [];
  labConsoles.set(page, lines);
  page.on('console', (message) => lines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`[pageerror] ${error.message}`));
  await page.goto(labUrl);
  await page.waitForFunction(() => document.body.dataset['loaded'] === 'true');
  return page;
}

/** Runs `request` on every tab at once. */
export function runOnGang(pages: readonly Page[], request: LabRun): Promise<LabOutcome[]> {
  return Promise.all(pages.map((page) => page.evaluate((lab) => window.commLab.run(lab), request)));
}

/** The floats a lab result carries. */
export function decodeFloats(floats: LabFloats): Float32Array {
  const bytes = Buffer.from(floats.base64, 'base64');
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}
