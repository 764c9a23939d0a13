/**
 * Measures what a task Web Worker would have in an opaque-origin sandbox, the isolation DESIGN.md
 * weighs against a locked-down same-origin worker: a `sandbox="allow-scripts"` frame on a
 * localhost page starts classic and module workers from `blob:` URLs, and each says whether it is
 * a secure context and has WebGPU. Run: `npx tsx bench/probe-sandbox.ts`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../e2e/chromium.js';

const PAGES: Record<string, string> = {
  '/': '<!doctype html><iframe sandbox="allow-scripts" src="/frame"></iframe>',
  '/frame': '<!doctype html><p>sandbox</p>',
};
const PROBE = 'postMessage(JSON.stringify({ secure: isSecureContext, gpu: typeof navigator.gpu, indexedDB: typeof indexedDB }))';

const server = createServer((request, response) => {
  response.writeHead(200, { 'content-type': 'text/html' }).end(PAGES[request.url ?? '/'] ?? '');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const frame = page.frames().find((candidate) => candidate.url().endsWith('/frame'))!;
  await frame.waitForLoadState();
  const inFrame = await frame.evaluate(() => ({ origin, secure: isSecureContext, gpu: typeof (navigator as { gpu?: unknown }).gpu }));
  const inWorker = (type: WorkerType) =>
    frame.evaluate(
      ([probe, workerType]) =>
        new Promise<string>((resolve) => {
          const worker = new Worker(URL.createObjectURL(new Blob([probe], { type: 'text/javascript' })), { type: workerType });
          worker.onmessage = (event) => resolve(String(event.data));
          worker.onerror = () => resolve('did not start');
          setTimeout(() => resolve('no answer in 5 s'), 5000);
        }),
      [PROBE, type] as const,
    );
  console.log(JSON.stringify({ frame: inFrame, classicWorker: await inWorker('classic'), moduleWorker: await inWorker('module') }, null, 2));
} finally {
  await browser.close();
  server.close();
}
