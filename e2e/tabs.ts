import type { Browser, Page } from '@playwright/test';

/** What the join page exposes as `window.tabgrid`. */
export interface JoinPageState {
  state: string;
  tasksDone: number;
  workerId: string | undefined;
}

const consoleLines = new WeakMap<Page, string[]>();

/**
 * Opens `count` volunteer tabs at `joinUrl`, each in its own browser context (so each has its
 * own IndexedDB and is its own worker), and waits until every one says it is connected.
 * Close them with `page.context().close()`. If one does not connect, all are closed and the
 * error carries that tab's console.
 * @example const tabs = await openTabs(browser, coordinator.joinUrl, 3);
 */
export async function openTabs(browser: Browser, joinUrl: string, count: number, timeoutMs = 30_000): Promise<Page[]> {
  const pages = await Promise.all(Array.from({ length: count }, () => openTab(browser)));
  const joins = await Promise.allSettled(pages.map((page, index) => joinGrid(page, joinUrl, index, timeoutMs)));
  const failure = joins.find((join) => join.status === 'rejected');
  if (failure) {
    await Promise.all(pages.map((page) => page.context().close()));
    throw failure.reason;
  }
  return pages;
}

/** The tab's console and page errors so far, one line each: what to attach when a test fails. */
export function consoleOf(page: Page): string[] {
  return consoleLines.get(page) ?? [];
}

/** What a tab sends the coordinator on its worker sockets: the message types, in order. */
export interface SentMessages {
  readonly types: readonly string[];
  /** Resolves once the tab has sent a message of `type` (tests wait on it, not on a clock). */
  waitFor(type: string): Promise<void>;
}

/**
 * Records the worker-protocol messages `page` sends on the sockets it opens from now on (a
 * reload's included; sockets already open are not watched).
 * @example const sent = recordSentMessages(tab); await tab.reload(); await sent.waitFor('heartbeat');
 */
export function recordSentMessages(page: Page): SentMessages {
  const types: string[] = [];
  const waiters: (() => void)[] = [];
  page.on('websocket', (socket) => {
    if (!socket.url().includes('/api/v1/worker')) return;
    socket.on('framesent', ({ payload }) => {
      const text = typeof payload === 'string' ? payload : payload.toString('utf8');
      const { type } = JSON.parse(text) as { type: string };
      types.push(type);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  const waitFor = async (type: string): Promise<void> => {
    while (!types.includes(type)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { types, waitFor };
}

/** `window.tabgrid` of a join page, or undefined before the page set it. */
export async function readJoinPage(page: Page): Promise<JoinPageState | undefined> {
  return page.evaluate(() => {
    const exposed = (window as unknown as { tabgrid?: JoinPageState }).tabgrid;
    return exposed ? { state: exposed.state, tasksDone: exposed.tasksDone, workerId: exposed.workerId } : undefined;
  });
}

async function openTab(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const lines: string[] = [];
  consoleLines.set(page, lines);
  page.on('console', (message) => lines.push(`[${message.type()}] ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`[pageerror] ${error.message}`));
  return page;
}

async function joinGrid(page: Page, joinUrl: string, index: number, timeoutMs: number): Promise<void> {
  await page.goto(joinUrl);
  try {
    await page.waitForFunction(
      () => (window as unknown as { tabgrid?: { state?: string } }).tabgrid?.state === 'connected',
      undefined,
      { timeout: timeoutMs },
    );
  } catch (cause) {
    const state = await page.locator('#state').textContent({ timeout: 1000 }).catch(() => null);
    const lines = consoleOf(page).slice(-20).join('\n');
    throw new Error(
      `tab ${index} did not connect within ${timeoutMs} ms (#state: ${state ?? 'absent'}). Console:\n${lines}`,
      { cause },
    );
  }
}

/** The rows of one object store of the join page's database, read with the raw IndexedDB API. */
export function idbRows<T>(page: Page, storeName: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const request = indexedDB.open('tabgrid-volunteer');
        request.onerror = () => reject(request.error ?? new Error('open failed'));
        request.onsuccess = () => {
          const db = request.result;
          const all = db.transaction(name, 'readonly').objectStore(name).getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result as T[]);
          };
          all.onerror = () => reject(all.error ?? new Error('read failed'));
        };
      }),
    storeName,
  );
}
