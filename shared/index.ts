export * from './states.js';
export * from './sha256.js';
export * from './spec.js';
export * from './job.js';
export * from './protocol.js';
export * from './errors.js';
export * from './api.js';
export * from './dag.js';
