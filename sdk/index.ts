/**
 * The tabgrid SDK: submit jobs to a coordinator, wait for them, read their results.
 * @example
 * import { Tabgrid, isJobFailedError } from 'tabgrid/sdk';
 *
 * const grid = new Tabgrid({ url: 'http://127.0.0.1:8080', token: process.env.TABGRID_TOKEN ?? '' });
 * try {
 *   console.log(await grid.map([1, 2, 3], (x: number) => x * x)); // [1, 4, 9]
 * } catch (error) {
 *   if (isJobFailedError(error)) console.error('a task threw:', error.message);
 *   else throw error;
 * }
 * @module
 */
export { Tabgrid } from './client.js';
export type { TabgridOptions } from './client.js';
export { DEFAULT_MAX_OUTAGE_MS, Job } from './job.js';
export type { FollowOptions, ReadOptions, WaitOptions } from './job.js';
export type { MapOptions } from './map.js';
export type { MatmulOptions, Matrix } from './matmul/index.js';
export type { FetchFunction } from './rest.js';
export { taskModuleSource } from './task-module.js';
export { validateSpec } from './validate-spec.js';
export { LocalJob, runLocally } from './local/index.js';
export type { LocalRunOptions } from './local/index.js';
export {
  HTTPError,
  JobFailedError,
  JobRejectedError,
  NetworkError,
  ResponseError,
  SpecError,
  TabgridError,
  TimeoutError,
  isHTTPError,
  isJobFailedError,
  isJobRejectedError,
  isNetworkError,
  isResponseError,
  isSpecError,
  isTabgridError,
  isTimeoutError,
} from './errors.js';
export type { SpecIssue } from './errors.js';
export { isTerminal } from '../shared/index.js';
export type {
  /** A job spec as you write it; defaults may be left out. */
  JobSpecInput as JobSpec,
  JobSpecInput,
  /** A job spec after validation, defaults filled in. */
  JobSpec as ValidJobSpec,
  Backoff,
  BlobInput,
  BlobRef,
  CodeSpec,
  ItemResult,
  ItemsInput,
  JobError,
  JobEvent,
  JobInput,
  JobProgress,
  JobSpecSummary,
  JobState,
  JobStatus,
  LogEntry,
  LogLevel,
  RangeInput,
  Requirements,
  RetryPolicy,
  RunMode,
  TaskContext,
  TaskFunction,
  CheckpointEnvelope,
  Stats,
  TaskState,
  TaskStatus,
  WorkerStatus,
} from '../shared/index.js';
export { pipeline, Pipeline } from './pipeline/index.js';
export type { PipelineContext, PipelineGang, PipelineOptions, PipelineStep } from './pipeline/index.js';
