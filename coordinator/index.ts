/**
 * The coordinator's face: start one (`startCoordinator`), and the scheduler over a store for the
 * SDK's parity test of the job rules.
 * @example const coordinator = await startCoordinator({ port: 0, dataDir });
 */
export type { CoordinatorOptions } from './options.js';
export { Scheduler } from './scheduler/index.js';
export { startCoordinator, type Coordinator } from './server.js';
export { openSqliteStore, type Store } from './store/index.js';
