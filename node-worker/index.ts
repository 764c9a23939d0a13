/**
 * A worker in a Node process: `tabgrid worker --join <url>` joins a coordinator like a browser
 * tab does, running tasks in worker threads with the same task runtime.
 * @example
 * import { startNodeWorker } from './node-worker/index.js';
 * const worker = startNodeWorker({ joinUrl, concurrency: 2 });
 */
export { importModuleSource } from './module-source.js';
export { parseJoinUrl, startNodeWorker, type NodeWorker, type NodeWorkerOptions } from './node-worker.js';
