import type { JobError, JobOrder, JobSpec, JobSpecSummary, JobState, LogLevel, RunMode, TaskState, Validation } from '../../shared/index.js';

/** A job as the coordinator keeps it. `spec.code` is always a blob reference here. */
export interface JobRecord {
  /** Submission order: "oldest first" within a priority. */
  seq: number;
  id: string;
  name: string;
  state: JobState;
  priority: number;
  spec: JobSpec;
  codeSha: string;
  itemCount: number;
  taskCount: number;
  error: JobError | null;
  idempotencyKey: string | null;
  createdAt: number;
  updatedAt: number;
  /** When it first became RUNNING; absent until then. */
  startedAt?: number;
  /** When it ended (a terminal state); absent while it may run, and again once a failed job is retried. */
  endedAt?: number;
}

export type NewJob = Omit<JobRecord, 'seq'>;

/**
 * What a job's status shows, kept in the job's row beside its spec so that a status read or a
 * list never parses the spec (which carries every item): the run mode and validation, and the
 * task counts once the job has ended.
 */
export interface JobSummary extends Omit<JobRecord, 'spec' | 'codeSha'> {
  runMode: RunMode;
  /** It has a reduce step (its last task). */
  reduce: boolean;
  validation?: Pick<Validation, 'replicas' | 'quorum' | 'adaptive' | 'maxReplicas'>;
  /** The spec in brief (never its items or code); absent for jobs created before it was kept. */
  spec?: JobSpecSummary;
  /** Done and failed tasks when the job ended; absent while it may still change. */
  finalCounts?: { done: number; failed: number };
}

/** Which jobs `listJobSummaries` answers. */
export interface JobSummaryQuery {
  /** `oldest` (by seq) unless given; see `JOB_ORDERS`. */
  order?: JobOrder;
  /** After the job with this seq in the order (and, ordered by priority, this priority). */
  afterSeq?: number;
  afterPriority?: number;
  states?: JobState[];
  nameContains?: string;
  limit?: number;
}

/** The summary part of a spec (a REJECTED job's spec may be only `{ name }`). */
export function summarizeSpec(spec: JobSpec): Pick<JobSummary, 'runMode' | 'reduce' | 'validation' | 'spec'> {
  const { runMode, validation, reduce } = spec as Partial<JobSpec>;
  const summary: Pick<JobSummary, 'runMode' | 'reduce' | 'validation' | 'spec'> = { runMode: runMode ?? 'immediate', reduce: reduce !== undefined };
  if (validation) summary.validation = { replicas: validation.replicas, quorum: validation.quorum, adaptive: validation.adaptive, maxReplicas: validation.maxReplicas };
  const brief = specInBrief(spec);
  if (brief) summary.spec = brief;
  return summary;
}

/** How a spec cuts and tries its tasks, what they need and wait for: never its items or code. */
function specInBrief(spec: Partial<JobSpec>): JobSpecSummary | undefined {
  const { input, retry, gang, requires, dependsOn } = spec;
  if (!input) return undefined;
  const brief: JobSpecSummary = { partitioner: input.partitioner };
  if ('chunkSize' in input && input.chunkSize !== undefined) brief.chunkSize = input.chunkSize;
  if (retry) {
    const { maxAttempts, maxLapses, distinctWorkers, backoff, timeoutMs } = retry;
    brief.retry = { maxAttempts, maxLapses, distinctWorkers, backoff: { initialMs: backoff.initialMs, factor: backoff.factor, maxMs: backoff.maxMs } };
    if (timeoutMs !== undefined) brief.timeoutMs = timeoutMs;
  }
  if (gang) brief.gang = { ...gang };
  if (requires) brief.requires = { ...requires };
  if (dependsOn) brief.dependsOn = [...dependsOn];
  return brief;
}

/** A task (one chunk of items) as the coordinator keeps it. */
export interface TaskRecord {
  jobId: string;
  index: number;
  state: TaskState;
  firstItem: number;
  itemCount: number;
  /** The task's share of the job input: its items, its sub-range, its blob shard. */
  input: unknown;
  /** One output per item, once the task is done. */
  output: unknown[] | null;
  attempts: number;
  failures: number;
  lapses: number;
  /** Distinct workers whose attempts threw or timed out (the job rules count them). */
  failedOn: string[];
  /** Distinct workers whose leases of this task lapsed. */
  lapsedOn: string[];
  /** Workers this task is not leased to again: each used up its attempts on it alone. */
  excluded: string[];
  leaseId: string | null;
  workerId: string | null;
  error: string | null;
  /** The last checkpoint an attempt stored; the next attempt starts from it. */
  checkpoint: unknown;
  /** Not leased before this time (epoch ms): backoff after a failure. */
  readyAt: number;
  updatedAt: number;
}

/** A task as it is created: its place, its state and its share of the input; nothing has happened to it yet. */
export type NewTask = Pick<TaskRecord, 'index' | 'state' | 'firstItem' | 'itemCount' | 'input'>;

/** A task's state and place: what a live job keeps of every task, warm or not (see the scheduler's `TaskTable`). */
export type TaskShape = Pick<TaskRecord, 'index' | 'state' | 'firstItem' | 'itemCount'>;

/**
 * Which of a job's tasks `listTasks` answers: all of them, or those at `indices`, or those in
 * `states` (with `tried`, only those leased at least once); a page of them with `afterIndex` and `limit`.
 */
export interface TaskQuery extends TaskRange {
  indices?: readonly number[];
  states?: readonly TaskState[];
  tried?: boolean;
}

/** Which workers a task holds against (the job rules' tally, and who may not lease it again). */
export type TaskBlame = Pick<TaskRecord, 'failedOn' | 'lapsedOn' | 'excluded'>;

export type TaskPatch = Partial<
  Pick<TaskRecord, 'state' | 'output' | 'attempts' | 'failures' | 'lapses' | 'leaseId' | 'workerId' | 'error' | 'checkpoint' | 'readyAt'> & {
    blame: TaskBlame;
  }
>;
/**
 * A change to a job's row. A new `spec` is written with its summary (a run mode switched);
 * `startedAt`, `endedAt` and `finalCounts` are cleared with null (a failed job retried runs again).
 */
export type JobPatch = Partial<Pick<JobRecord, 'state' | 'error' | 'priority' | 'spec'>> & {
  startedAt?: number | null;
  endedAt?: number | null;
  finalCounts?: JobSummary['finalCounts'] | null;
};

export interface LogRecord {
  id: number;
  jobId: string;
  taskIndex: number | null;
  workerId: string | null;
  level: LogLevel;
  message: string;
  time: number;
}

export type NewLog = Omit<LogRecord, 'id'>;

/** Which log lines `listLogs` answers: of one task, at these levels, holding `text` (any case), the `newest` so many of them. */
export interface LogFilter {
  taskIndex?: number;
  levels?: readonly LogLevel[];
  text?: string;
  newest?: number;
}

/** One job state transition. */
export interface JobEventRecord {
  id: number;
  jobId: string;
  time: number;
  from: JobState | null;
  to: JobState;
  reason: string;
}

export type NewJobEvent = Omit<JobEventRecord, 'id'>;

/**
 * What the coordinator knows of one worker identity's results (its reputation): validated
 * results that agreed with the quorum, those that did not, the current streak of valid ones, and
 * whether it is quarantined (no work until an admin releases it).
 */
export interface WorkerRecord {
  id: string;
  valid: number;
  invalid: number;
  /** Valid results in a row since the last invalid one. */
  streak: number;
  /** Attempts that threw or timed out. */
  errors: number;
  /** The last validated results, newest in the lowest bit: 1 for an invalid one. */
  recent: number;
  quarantined: boolean;
  /** Why it was quarantined (or released), for the admin. */
  note: string | null;
  updatedAt: number;
}

/** A page of a job's tasks, by index: those after `afterIndex` (-1: from the first), at most `limit`. */
export interface TaskRange {
  afterIndex?: number;
  limit?: number;
}

/** The outputs of one finished task. */
export interface TaskOutput {
  index: number;
  firstItem: number;
  output: unknown[];
}

/**
 * One change to what the store keeps. `Store.write` applies a list of them in one transaction:
 * every scheduler transition is one list, so the store never holds half of one.
 */
export type StoreChange =
  /** A job and its tasks; the tasks are read once, as they are written (a million need not be in memory at once). */
  | { type: 'createJob'; job: NewJob; tasks: Iterable<NewTask> }
  | { type: 'updateJob'; id: string; patch: JobPatch }
  | { type: 'updateTask'; jobId: string; index: number; patch: TaskPatch }
  /**
   * Moves every task of a job that is in one of `from` to `to`, dropping its lease (closing a
   * failed or cancelled job); with `fresh`, their failures, lapses, blame, error and backoff start
   * over (a failed job retried: a fresh retry budget; attempts and checkpoints stay).
   */
  | { type: 'moveTasks'; jobId: string; from: TaskState[]; to: TaskState; fresh?: boolean }
  | { type: 'appendEvent'; event: NewJobEvent }
  | { type: 'appendLogs'; entries: NewLog[] }
  | { type: 'putWorker'; record: WorkerRecord };

/**
 * Everything the coordinator must not lose, behind a narrow interface: one `write` of tagged
 * changes (in the manner of Dexie's DBCore), and the reads. The SQLite adapter is the embedded
 * default; a PostgreSQL adapter implements the same interface.
 */
export interface Store {
  /**
   * Applies the changes in order, in one transaction: all of them or none. Answers, for each
   * change, the ids of the rows it added: a job's seq, an event's id, the logs' ids; none for an update.
   */
  write(changes: readonly StoreChange[]): Promise<number[][]>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /** A job without its spec: what its status shows. */
  getJobSummary(id: string): Promise<JobSummary | undefined>;
  /** Jobs without their specs, in `order` (oldest first by default): after `afterSeq`, in `states`, with `nameContains` in the name (any case), at most `limit`. */
  listJobSummaries(query?: JobSummaryQuery): Promise<JobSummary[]>;
  findJobByIdempotencyKey(key: string): Promise<JobRecord | undefined>;
  listJobEvents(jobId: string, afterId?: number): Promise<JobEventRecord[]>;
  listJobs(): Promise<JobRecord[]>;
  /** Jobs that may still change, oldest first. */
  listActiveJobs(): Promise<JobRecord[]>;
  /** Jobs by state. */
  countJobs(): Promise<Partial<Record<JobState, number>>>;
  /** A job's tasks (see `TaskQuery`), in index order. */
  listTasks(jobId: string, query?: TaskQuery): Promise<TaskRecord[]>;
  /** Every task's state and place, in index order (a page of them: after `afterIndex`, at most `limit`). */
  listTaskShapes(jobId: string, range?: TaskRange): Promise<TaskShape[]>;
  /** Tasks by state for each of these jobs (all jobs when left out). */
  countTasks(jobIds?: string[]): Promise<Map<string, Partial<Record<TaskState, number>>>>;
  /** Outputs of done tasks, in task order (a page of them: after `afterIndex`, at most `limit`). */
  listOutputs(jobId: string, range?: TaskRange): Promise<TaskOutput[]>;
  /** A job's log lines after `afterId`, oldest first; only those `filter` lets through (its `newest`: the last so many of them). */
  listLogs(jobId: string, afterId?: number, filter?: LogFilter): Promise<LogRecord[]>;
  putBlob(sha256: string, bytes: Uint8Array): Promise<void>;
  getBlob(sha256: string): Promise<Uint8Array | undefined>;
  hasBlob(sha256: string): Promise<boolean>;
  getWorker(id: string): Promise<WorkerRecord | undefined>;
  /** Worker records (only quarantined ones, with `quarantined`), most recently changed first, at most `limit`. */
  listWorkers(filter: { quarantined?: boolean; limit: number }): Promise<WorkerRecord[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** The value kept under `key`; `value` is kept first if there is none (the first of several coordinators to start sets it). */
  claimMeta(key: string, value: string): Promise<string>;
  /** Which of the coordinators sharing this store is the active one. */
  readonly lease: CoordinatorLease;
  close(): Promise<void>;
}

/**
 * The one lease that makes a coordinator the active one (`coordinator/role.ts`), kept in the store
 * with a fencing token: once `acquire` has answered a token, every `write` (and `setMeta`) of this
 * store first checks that the lease still holds that token, in the same transaction, and fails
 * with `LostLeaseError` if another coordinator has taken it since. The store's own clock times it.
 */
export interface CoordinatorLease {
  /**
   * Held by this process for as long as its store is open (the SQLite file's lock): it neither
   * runs out nor passes to another, so a long pause of this process (a million-item job written
   * in one go) costs it nothing.
   */
  readonly exclusive?: boolean;
  /** Takes the lease for `holder` if nobody holds it or it ran out: its token, or undefined while another holds it. */
  acquire(holder: string, ttlMs: number): Promise<number | undefined>;
  /** Extends the lease held; false when another took it (from then on this store writes nothing). */
  renew(ttlMs: number): Promise<boolean>;
  /** Gives the lease up (a clean stop), so that a standby takes over at once. */
  release(): Promise<void>;
}

/** A write refused: this coordinator no longer holds the lease. */
export class LostLeaseError extends Error {
  override readonly name = 'LostLeaseError';
  constructor() {
    super('this coordinator lost its lease to another: it is a standby now and writes nothing');
  }
}
