export { startCoordinator, type Coordinator } from './server.js';
export type { CoordinatorOptions } from './options.js';
export { createApp, type AppOptions } from './api/app.js';
export type { ApiDeps } from './api/deps.js';
export { Scheduler, type SchedulerOptions } from './scheduler/index.js';
export { WorkerGateway } from './gateway/index.js';
export { openSqliteStore, type Store } from './store/index.js';
