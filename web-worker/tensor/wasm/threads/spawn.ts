/**
 * Starting kernel threads in a browser. `Worker` and `URL` are taken when this module loads:
 * a task Web Worker removes `Worker` from its scope (`lock-down.ts`) before any task code runs,
 * and task code may replace `URL`, but kernel threads are started later, on the first task that
 * may use threads. Only this module holds the constructor, and a thread runs only the kernels.
 */
import type { KernelThreadPort } from './pool.js';

const Worker: typeof globalThis.Worker | undefined = globalThis.Worker;
const URL = globalThis.URL;

/** Whether this scope can start kernel threads: it could make Workers when it loaded. */
export function canSpawnKernelThreads(): boolean {
  return Worker !== undefined;
}

/**
 * A new kernel thread (a module Web Worker running `thread.ts`).
 * @example const pool = new KernelPool({ module, memory, helpers: 3, spawn: spawnKernelThread });
 */
export function spawnKernelThread(): KernelThreadPort {
  if (Worker === undefined) throw new Error('this scope cannot start Web Workers');
  return new Worker(new URL('./thread.ts', import.meta.url), { type: 'module', name: 'tabgrid kernel thread' });
}
