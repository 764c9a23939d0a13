export type * from './store.js';
export { summarizeSpec } from './store.js';
export { openSqliteStore } from './sqlite.js';
