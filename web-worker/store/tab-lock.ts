/** A held claim on a tab key; released when the page goes away, or by `release()`. */
export interface TabLock {
  readonly tabKey: string;
  release(): void;
}

/** The part of the Web Locks API used here (`navigator.locks`). */
export type TabLocks = Pick<LockManager, 'request'>;

const LOCK_PREFIX = 'tabgrid-tab:';

/**
 * Claims `tabKey` for this page with a Web Lock, so that two live tabs never use one key: a tab
 * duplicated by the browser copies `sessionStorage` (and so the key) but finds the lock taken.
 * With `waitMs` > 0 it waits that long (a reloaded page's predecessor may still be letting go);
 * else it takes the lock only if it is free. Answers undefined when the lock stayed taken.
 * Without Web Locks every claim succeeds: duplicates cannot be told apart there.
 * @example
 * const lock = await lockTabKey(navigator.locks, key, 3000);
 * if (!lock) key = crypto.randomUUID(); // a sibling tab holds it
 */
export function lockTabKey(locks: TabLocks | undefined, tabKey: string, waitMs = 0): Promise<TabLock | undefined> {
  if (!locks) return Promise.resolve({ tabKey, release: () => {} });
  return new Promise((resolve, reject) => {
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    const options: LockOptions = waitMs > 0 ? { signal: AbortSignal.timeout(waitMs) } : { ifAvailable: true };
    locks
      .request(`${LOCK_PREFIX}${tabKey}`, options, async (lock) => {
        if (!lock) {
          resolve(undefined);
          return;
        }
        resolve({ tabKey, release });
        await held;
      })
      .catch((error: unknown) => {
        if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) resolve(undefined);
        else reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
}

/** Where a tab keeps its key: `sessionStorage`, which survives a reload but not a closed tab. */
export type TabKeyStorage = Pick<Storage, 'getItem' | 'setItem'>;

const SESSION_KEY = 'tabgrid.tabKey';

/** The key this tab used before a reload, if any (and if `sessionStorage` can be read at all). */
export function readTabKey(session: TabKeyStorage | undefined): string | undefined {
  try {
    return session?.getItem(SESSION_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Remembers this tab's key for its next reload. */
export function writeTabKey(session: TabKeyStorage | undefined, tabKey: string): void {
  try {
    session?.setItem(SESSION_KEY, tabKey);
  } catch {
    // Without sessionStorage a reload starts as a new worker; the orphan is adopted then.
  }
}

/** This page's `sessionStorage`, or undefined where reading it is refused (sandboxed frames, storage off). */
export function pageSessionStorage(): TabKeyStorage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}
