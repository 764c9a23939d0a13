/**
 * The local (serial) runner: a job run in the calling process, one task at a time, with the same
 * task runtime as a worker — `runMode: 'local'`, `map(..., { local: true })`, `tabgrid run --local`.
 * @example
 * import { runLocally } from './local/index.js';
 * const job = await runLocally(spec);
 * await job.wait();
 */
export { runLocally, type LocalRunOptions } from './run-locally.js';
export { LocalJob } from './local-job.js';
export { storedBlobFetcher, type BlobFetcher } from './blobs.js';
export { topologicalOrder } from './local-plan.js';
