/**
 * What a task Web Worker takes away from its own global scope before any task code runs. The
 * worker shares the join page's origin (a worker in an opaque-origin sandbox would be safer, but
 * in Chromium it is not a secure context and has no WebGPU: see DESIGN.md), so these would reach
 * the page's storage, its locks, other jobs' workers, or start a fresh scope with all of them
 * back. The network is shut by the worker's Content Security Policy (`connect-src 'none'`).
 */
const SCOPE_NAMES = [
  // The page's IndexedDB (identity, leases, outbox, blob cache) and Cache Storage.
  'indexedDB',
  'caches',
  // A channel to every other same-origin context: other jobs' workers, the page.
  'BroadcastChannel',
  // A nested worker starts with a whole new scope, none of this taken away.
  'Worker',
  'SharedWorker',
  // Old file system access, origin-wide.
  'webkitRequestFileSystem',
  'webkitRequestFileSystemSync',
  'webkitResolveLocalFileSystemURL',
  'webkitResolveLocalFileSystemSyncURL',
] as const;

const NAVIGATOR_NAMES = [
  // The origin private file system, quota and persistence.
  'storage',
  'storageBuckets',
  // Web Locks are origin-wide: the page's tab lock among them.
  'locks',
  'serviceWorker',
] as const;

/** The names {@link lockDown} removes, for tests and docs. */
export const LOCKED_NAMES: readonly string[] = [...SCOPE_NAMES, ...NAVIGATOR_NAMES.map((name) => `navigator.${name}`)];

/**
 * Removes `SCOPE_NAMES` from `scope` and `NAVIGATOR_NAMES` from its `navigator`, from the objects
 * and every prototype they inherit from, so no later code can read them back.
 * @throws {Error} naming what could not be removed (the worker must not run tasks then)
 */
export function lockDown(scope: object): void {
  remove(scope, SCOPE_NAMES);
  const navigator = (scope as { navigator?: object }).navigator;
  if (navigator) remove(navigator, NAVIGATOR_NAMES);
}

function remove(target: object, names: readonly string[]): void {
  for (const name of names) {
    for (let holder: object | null = target; holder !== null; holder = Object.getPrototypeOf(holder) as object | null) {
      if (Object.hasOwn(holder, name)) Reflect.deleteProperty(holder, name);
    }
    if (name in target) throw new Error(`the task worker could not take '${name}' away from task code`);
  }
}
