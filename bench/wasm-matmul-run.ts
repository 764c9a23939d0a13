/**
 * Runs the WASM matmul benchmark page (bench/wasm-matmul.html, built into dist/bench by
 * `vite build -c bench/vite.config.ts`) in headless Chromium and prints its table.
 *   tsx bench/wasm-matmul-run.ts [--sizes 256,512,1024,2048] [--runs 7] [--no-js-loop]
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { MatmulBenchReport, MatmulBenchRow } from './wasm-matmul.js';

const SITE = resolve(import.meta.dirname, '../dist/bench');
const CHROMIUM = '/usr/bin/chromium';
// No sandbox (runs as root) and no calls to the outside world.
const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves `root` read-only on 127.0.0.1 at a free port: a secure context, as the page needs. */
async function serveStatic(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(root, path);
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function formatTable(rows: MatmulBenchRow[]): string {
  const f = (value: number | undefined, digits = 1): string => (value === undefined ? '–' : value.toFixed(digits));
  const ratio = (ours: number | undefined, theirs: number | undefined): string =>
    (ours === undefined || theirs === undefined ? '–' : (ours / theirs).toFixed(2));
  const head = [
    'n', 'ours relaxed', 'ours SIMD128', 'ours copy in+out', 'TF.js wasm', 'JS loop',
    'best ours / TF.js', 'SIMD128 / TF.js', 'max rel diff',
  ];
  const body = rows.map(({ n, median, jsLoop, maxRelDiff }) => {
    const ours = median.relaxed ?? median.simd;
    return [
      String(n), f(median.relaxed), f(median.simd), f(median.copyInOut), f(median.tfjs), f(jsLoop, 2),
      ratio(ours, median.tfjs), ratio(median.simd, median.tfjs), maxRelDiff.toExponential(1),
    ];
  });
  const bestBody = rows.map(({ n, best }) => [
    String(n), f(best.relaxed), f(best.simd), f(best.copyInOut), f(best.tfjs), '',
    ratio(best.relaxed ?? best.simd, best.tfjs), ratio(best.simd, best.tfjs), '',
  ]);
  const widths = head.map((title, i) => Math.max(title.length, ...[...body, ...bestBody].map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`;
  return [
    'GFLOPS, median run:', line(head), rule, ...body.map(line), '',
    'GFLOPS, fastest run:', line(head), rule, ...bestBody.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string' }, runs: { type: 'string' }, 'no-js-loop': { type: 'boolean' } },
  });
  const query = new URLSearchParams({
    sizes: values.sizes ?? '256,512,1024,2048', runs: values.runs ?? '7', jsloop: values['no-js-loop'] === true ? '0' : '1',
  });
  await readFile(join(SITE, 'wasm-matmul.html')).catch((error: unknown) => {
    throw new Error(`${SITE} has no built page: run vite build -c bench/vite.config.ts first`, { cause: error });
  });
  const { server, origin } = await serveStatic(SITE);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${origin}/wasm-matmul.html?${query.toString()}`);
    await page.waitForFunction(() => window.matmulBench !== undefined, undefined, { timeout: 20 * 60_000, polling: 500 });
    const report = (await page.evaluate(() => window.matmulBench)) as MatmulBenchReport;
    if (!report.ok) throw new Error(`the benchmark page failed: ${report.error}`);
    console.log(report.userAgent);
    console.log(
      `relaxed SIMD ${report.relaxedSimd}; TF.js wasm: SIMD ${report.tfjsSimd}, threads ${report.tfjsThreads}; ` +
      `${report.rows[0]?.runs ?? 0} runs after 2 warm-ups, contenders interleaved; products per run ${report.rows.map((row) => row.repeats).join('/')}; ` +
      `JS loop ${report.rows.map((row) => row.jsRuns).join('/')} runs`,
    );
    console.log(formatTable(report.rows));
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
