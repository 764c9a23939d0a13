import { availableParallelism } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../e2e/chromium.js';
import { startStaticServer } from '../e2e/static-server.js';

/**
 * Runs `use` on a built bench page served cross-origin isolated (COOP/COEP, as the join page is),
 * in headless Chromium, with `threads` = this machine's cores in its query. TF.js wasm caps its
 * threads at half of `navigator.hardwareConcurrency` (its backend counts two logical cores per
 * physical one), which is 1 on a 2-core machine whatever `setThreadsCount` says: the page is told
 * of twice the cores, so that TF.js runs as many threads as ours and the comparison stays fair.
 */
export async function onIsolatedPage<T>(site: string, path: string, query: URLSearchParams, use: (page: Page) => Promise<T>): Promise<T> {
  const server = await startStaticServer(site, { crossOriginIsolated: true });
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    const cores = availableParallelism();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: 2 * cores });
    query.set('threads', String(cores));
    await page.goto(`${server.url}/${path}?${query.toString()}`);
    return await use(page);
  } finally {
    await browser.close();
    await server.close();
  }
}
