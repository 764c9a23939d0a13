/**
 * bench:comm — collectives between headless Chromium tabs over WebRTC on loopback, through the
 * comm lab page (dist/web/web-worker/comm/lab.html) and a local PeerJS server. Measures, in one run:
 *  - the raw throughput of one data channel (rank 0 → rank 1 of a gang of 2: bytes straight
 *    through the transport in fixed-size messages, with the same backpressure as the comm);
 *  - for gangs of 2, 3 and 4 tabs, the raw ring: every tab sending raw bytes to the next at
 *    once, which is the ring's traffic without its protocol;
 *  - allReduce: bus bandwidth = 2(N−1)/N × bytes / time (what each link carries per second),
 *    over the raw pair (the goal: at least 0.8) and over the raw ring of the same tabs.
 * Each timing is the slowest rank's, after a barrier; the median of the repeats (after one
 * untimed run) is reported.
 *   tsx bench/comm.ts [--json] [--sizes-mib 1,16,64] [--ranks 2,3,4] [--repeats 3] [--raw-mib 64] [--message-kib 64]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type Browser, type Page, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../e2e/chromium.js';
import { type SignallingServer, openCommGang, startSignallingServer } from '../e2e/comm-gang.js';
import { startStaticServer } from '../e2e/static-server.js';
import type { CommLab } from '../web-worker/comm/index.js';
import { table } from './stats.js';

declare const window: { commLab: CommLab };

const MIB = 1024 * 1024;
const HIGH_WATER_BYTES = 4 * MIB;
const TIMEOUT_MS = 600_000;

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'sizes-mib': { type: 'string', default: '1,16,64' },
    ranks: { type: 'string', default: '2,3,4' },
    repeats: { type: 'string', default: '3' },
    'raw-mib': { type: 'string', default: '64' },
    'message-kib': { type: 'string', default: '64' },
  },
});
const numbers = (text: string): number[] => text.split(',').map(Number);
const sizesMib = numbers(args['sizes-mib']);
const gangSizes = numbers(args.ranks);
const repeats = Number(args.repeats);
const rawBytes = Number(args['raw-mib']) * MIB;
const messageBytes = Number(args['message-kib']) * 1024;

/** Raw data-channel throughput, per link, in MB/s (1e6 bytes). */
interface RawLinks {
  tabs: number;
  /** `pair`: rank 0 to rank 1 only; `ring`: every rank to the next, at once. */
  pattern: 'pair' | 'ring';
  bytes: number;
  messageBytes: number;
  /** Per timed run: bytes / the slowest sender's seconds. */
  mbPerSecond: number[];
  medianMbPerSecond: number;
}

interface AllReduceRow {
  ranks: number;
  bytes: number;
  /** Per timed repeat: the slowest rank's seconds. */
  seconds: number[];
  medianSeconds: number;
  busMbPerSecond: number;
  /** Bus bandwidth over the raw pair of this run. */
  ratio: number;
  /** Bus bandwidth over the raw ring of the same tabs. */
  ratioToRawRing: number;
  exact: boolean;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function measureRaw(tabs: Page[], pattern: RawLinks['pattern']): Promise<RawLinks> {
  const links = pattern === 'pair' ? [[0, 1] as const] : tabs.map((_, rank) => [rank, (rank + 1) % tabs.length] as const);
  const runs: number[] = [];
  for (let run = 0; run <= repeats; run++) {
    await Promise.all(
      tabs.map((tab, rank) => {
        const incoming = links.find(([, to]) => to === rank);
        return tab.evaluate((request) => window.commLab.armRaw(request), incoming === undefined ? {} : { from: incoming[0], bytes: rawBytes });
      }),
    );
    const request = { bytes: rawBytes, messageBytes, highWaterBytes: HIGH_WATER_BYTES };
    const sent = await Promise.all(links.map(([from, to]) => tabs[from]!.evaluate((raw) => window.commLab.rawSend(raw), { ...request, to })));
    const received = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.commLab.disarmRaw())));
    if (received.some((receipt) => receipt !== null && receipt.bytes !== rawBytes)) throw new Error(`a raw receiver did not take all ${rawBytes} bytes`);
    if (run > 0) runs.push(rawBytes / Math.max(...sent.map((one) => one.seconds)) / 1e6);
  }
  return { tabs: tabs.length, pattern, bytes: rawBytes, messageBytes, mbPerSecond: runs, medianMbPerSecond: median(runs) };
}

async function measureAllReduce(tabs: Page[], bytes: number, rawPair: RawLinks, rawRing: RawLinks): Promise<AllReduceRow> {
  const request = { floats: bytes / 4, repeats: repeats + 1 };
  const perRank = await Promise.all(tabs.map((tab) => tab.evaluate((timing) => window.commLab.timeAllReduce(timing), request)));
  const seconds = Array.from({ length: repeats }, (_, repeat) => Math.max(...perRank.map((rank) => rank.seconds[repeat + 1]!)));
  const medianSeconds = median(seconds);
  const ranks = tabs.length;
  const busMbPerSecond = (((2 * (ranks - 1)) / ranks) * (bytes / medianSeconds)) / 1e6;
  return {
    ranks,
    bytes,
    seconds,
    medianSeconds,
    busMbPerSecond,
    ratio: busMbPerSecond / rawPair.medianMbPerSecond,
    ratioToRawRing: busMbPerSecond / rawRing.medianMbPerSecond,
    exact: perRank.every((rank) => rank.exact),
  };
}

async function withGang<T>(browser: Browser, labUrl: string, signalling: SignallingServer, size: number, use: (tabs: Page[]) => Promise<T>): Promise<T> {
  const { tabs } = await openCommGang(browser, labUrl, signalling, size, { timeoutMs: TIMEOUT_MS, messageBytes });
  try {
    return await use(tabs);
  } finally {
    await Promise.all(tabs.map((tab) => tab.context().close()));
  }
}

function printReport(rawPair: RawLinks, rawRings: RawLinks[], rows: AllReduceRow[], machine: { cpus: number; chromium: string }): void {
  const runs = (raw: RawLinks): string => raw.mbPerSecond.map((value) => value.toFixed(1)).join(', ');
  console.log(`\nraw data channel, one pair, one way: ${rawPair.medianMbPerSecond.toFixed(1)} MB/s (runs ${runs(rawPair)}; ${rawBytes / MIB} MiB in ${messageBytes / 1024} KiB messages)`);
  for (const ring of rawRings) console.log(`raw ring of ${ring.tabs} tabs, each to the next at once: ${ring.medianMbPerSecond.toFixed(1)} MB/s per link (runs ${runs(ring)})`);
  const body = rows.map((row) => [
    row.ranks,
    `${row.bytes / MIB} MiB`,
    row.medianSeconds.toFixed(3),
    row.busMbPerSecond.toFixed(1),
    row.ratio.toFixed(2),
    row.ratioToRawRing.toFixed(2),
    row.exact ? 'yes' : 'NO',
  ]);
  console.log(`\n${table(['tabs', 'size', 'seconds', 'bus MB/s', 'bus / raw pair', 'bus / raw ring', 'exact'], body)}`);
  console.log(`\n${machine.cpus} CPUs, Chromium ${machine.chromium}; goal: bus / raw pair >= 0.8`);
}

async function main(): Promise<void> {
  const site = await startStaticServer();
  const signalling = await startSignallingServer();
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS], headless: true });
  const labUrl = `${site.url}/web-worker/comm/lab.html`;
  const log = (line: string): void => {
    if (!args.json) console.error(line);
  };
  try {
    log(`raw pair: ${rawBytes / MIB} MiB in ${messageBytes / 1024} KiB messages…`);
    const rawPair = await withGang(browser, labUrl, signalling, 2, (tabs) => measureRaw(tabs, 'pair'));
    const rawRings: RawLinks[] = [];
    const rows: AllReduceRow[] = [];
    for (const ranks of gangSizes) {
      await withGang(browser, labUrl, signalling, ranks, async (tabs) => {
        log(`raw ring: ${ranks} tabs…`);
        const rawRing = await measureRaw(tabs, 'ring');
        rawRings.push(rawRing);
        for (const mib of sizesMib) {
          log(`allReduce: ${ranks} tabs, ${mib} MiB…`);
          rows.push(await measureAllReduce(tabs, mib * MIB, rawPair, rawRing));
        }
      });
    }
    const machine = { cpus: cpus().length, chromium: browser.version() };
    if (args.json) console.log(JSON.stringify({ machine, highWaterBytes: HIGH_WATER_BYTES, rawPair, rawRings, allReduce: rows }, null, 2));
    else printReport(rawPair, rawRings, rows, machine);
  } finally {
    await browser.close();
    await signalling.close();
    await site.close();
  }
}

await main();
// The `peer` server's housekeeping intervals outlive its http server; nothing else is left to wait for.
process.exit();
