export type * from './store.js';
export { LostLeaseError, summarizeSpec } from './store.js';
export { openSqliteStore } from './sqlite.js';
export { openPostgresStore } from './postgres.js';
export { openStore } from './open.js';
