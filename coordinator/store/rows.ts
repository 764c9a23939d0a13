import type { JobError, JobSpec, JobState, LogLevel, TaskState } from '../../shared/index.js';
import { isTerminal } from '../../shared/index.js';
import type { JobEventRecord, JobPatch, JobRecord, JobSummary, LogRecord, NewJob, NewTask, TaskBlame, TaskPatch, TaskRecord, WorkerRecord } from './store.js';
import { summarizeSpec } from './store.js';
import type { Selectable } from 'kysely';
import type { JobEventTable, JobTable, LogTable, TaskTable, WorkerTable } from './tables.js';

/**
 * Rows as both SQL stores keep them, and the records they stand for: one mapping for SQLite and
 * PostgreSQL. JSON columns hold text; times and counts come back as numbers.
 */

/** Every column of a job but its spec: what a status shows. */
export const SUMMARY_COLUMNS = [
  'seq', 'id', 'name', 'state', 'priority', 'item_count', 'task_count', 'error', 'idempotency_key', 'created_at', 'updated_at', 'started_at', 'ended_at', 'summary', 'final_counts',
] as const;
export const SUMMARY_SELECT = SUMMARY_COLUMNS.join(', ');
export type SummaryRow = Pick<Selectable<JobTable>, (typeof SUMMARY_COLUMNS)[number]>;

/** The columns a job's record and its summary share. */
function jobColumns(row: SummaryRow): Omit<JobRecord, 'spec' | 'codeSha'> {
  const record: Omit<JobRecord, 'spec' | 'codeSha'> = {
    seq: Number(row.seq),
    id: row.id,
    name: row.name,
    state: row.state as JobState,
    priority: row.priority,
    itemCount: row.item_count,
    taskCount: row.task_count,
    error: row.error === null ? null : (JSON.parse(row.error) as JobError),
    idempotencyKey: row.idempotency_key,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.started_at !== null) record.startedAt = Number(row.started_at);
  if (row.ended_at !== null) record.endedAt = Number(row.ended_at);
  return record;
}

export function summaryFromRow(row: SummaryRow): JobSummary {
  const { runMode, reduce, validation, spec } = JSON.parse(row.summary) as Partial<Pick<JobSummary, 'runMode' | 'reduce' | 'spec'>> & { validation?: JobSummary['validation'] | null };
  const summary: JobSummary = { ...jobColumns(row), runMode: runMode ?? 'immediate', reduce: reduce ?? false };
  if (validation) summary.validation = validation;
  if (spec) summary.spec = spec;
  if (row.final_counts !== null) summary.finalCounts = JSON.parse(row.final_counts) as JobSummary['finalCounts'] & object;
  return summary;
}

export function jobFromRow(row: Selectable<JobTable>): JobRecord {
  return { ...jobColumns(row), spec: JSON.parse(row.spec) as JobSpec, codeSha: row.code_sha };
}

export function taskFromRow(row: Selectable<TaskTable>): TaskRecord {
  return {
    jobId: row.job_id,
    index: row.idx,
    state: row.state as TaskState,
    firstItem: row.first_item,
    itemCount: row.item_count,
    input: JSON.parse(row.input) as unknown,
    output: row.output === null ? null : (JSON.parse(row.output) as unknown[]),
    attempts: row.attempts,
    failures: row.failures,
    lapses: row.lapses,
    ...blameFromColumn(row.blame),
    leaseId: row.lease_id,
    workerId: row.worker_id,
    error: row.error,
    checkpoint: row.checkpoint === null ? undefined : (JSON.parse(row.checkpoint) as unknown),
    readyAt: Number(row.ready_at),
    updatedAt: Number(row.updated_at),
  };
}

export function workerFromRow(row: Selectable<WorkerTable>): WorkerRecord {
  return {
    id: row.id,
    valid: row.valid,
    invalid: row.invalid,
    streak: row.streak,
    errors: row.errors,
    recent: row.recent,
    quarantined: row.quarantined === 1,
    note: row.note,
    updatedAt: Number(row.updated_at),
  };
}

export function eventFromRow(row: Selectable<JobEventTable>): JobEventRecord {
  return { id: Number(row.id), jobId: row.job_id, time: Number(row.time), from: row.from_state as JobState | null, to: row.to_state as JobState, reason: row.reason };
}

export function logFromRow(row: Selectable<LogTable>): LogRecord {
  return { id: Number(row.id), jobId: row.job_id, taskIndex: row.task_idx, workerId: row.worker_id, level: row.level as LogLevel, message: row.message, time: Number(row.time) };
}

/** The blame of a task nobody failed on: shared (frozen) by every such task read, a window of a thousand at a time. */
const NO_BLAME: TaskBlame = Object.freeze({ failedOn: Object.freeze([]) as unknown as string[], lapsedOn: Object.freeze([]) as unknown as string[], excluded: Object.freeze([]) as unknown as string[] });

function blameFromColumn(text: string | null): TaskBlame {
  if (text === null) return NO_BLAME;
  const blame = JSON.parse(text) as Partial<TaskBlame>;
  return { failedOn: blame.failedOn ?? [], lapsedOn: blame.lapsedOn ?? [], excluded: blame.excluded ?? [] };
}

export function blameColumn(blame: TaskBlame): string | null {
  if (blame.failedOn.length + blame.lapsedOn.length + blame.excluded.length === 0) return null;
  return JSON.stringify({ failedOn: blame.failedOn, lapsedOn: blame.lapsedOn, excluded: blame.excluded });
}

/** A new job's columns, in `INSERT_JOB`'s order. */
export function jobValues(job: NewJob): unknown[] {
  return [
    job.id,
    job.name,
    job.state,
    job.priority,
    JSON.stringify(job.spec),
    job.codeSha,
    job.itemCount,
    job.taskCount,
    job.error === null ? null : JSON.stringify(job.error),
    job.idempotencyKey,
    job.createdAt,
    job.updatedAt,
    JSON.stringify(summarizeSpec(job.spec)),
    // A job created ended (REJECTED, or FAILED by a dependency) has no tasks to count, and ended as it was made.
    isTerminal(job.state) ? JSON.stringify({ done: 0, failed: 0 }) : null,
    isTerminal(job.state) ? job.createdAt : null,
  ];
}

export const INSERT_JOB = `INSERT INTO jobs (id, name, state, priority, spec, code_sha, item_count, task_count, error, idempotency_key, created_at, updated_at, summary, final_counts, ended_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`;

/** A new task's columns but its job id and time: idx, state, first_item, item_count, input. */
export function taskValues(task: NewTask): [number, string, number, number, string] {
  return [task.index, task.state, task.firstItem, task.itemCount, JSON.stringify(task.input)];
}

export const INSERT_EVENT = 'INSERT INTO job_events (job_id, time, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?) RETURNING id';
export const INSERT_LOG = 'INSERT INTO logs (job_id, task_idx, worker_id, level, message, time) VALUES (?, ?, ?, ?, ?, ?) RETURNING id';
export const PUT_WORKER = `INSERT INTO workers (id, valid, invalid, streak, errors, recent, quarantined, note, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET valid = excluded.valid, invalid = excluded.invalid, streak = excluded.streak, errors = excluded.errors,
    recent = excluded.recent, quarantined = excluded.quarantined, note = excluded.note, updated_at = excluded.updated_at`;

export function workerValues(record: WorkerRecord): unknown[] {
  return [record.id, record.valid, record.invalid, record.streak, record.errors, record.recent, record.quarantined ? 1 : 0, record.note, record.updatedAt];
}

/**
 * `UPDATE tasks SET … WHERE job_id = ? AND state IN (…)` moving every task in `fromCount` states
 * to one (`fresh`: with a fresh retry budget, see `StoreChange`): its parameters are to, now, job
 * id, then the states.
 */
export function moveTasksText(fromCount: number, fresh = false): string {
  const budget = fresh ? ' failures = 0, lapses = 0, blame = NULL, error = NULL, ready_at = 0,' : '';
  return `UPDATE tasks SET state = ?, lease_id = NULL,${budget} updated_at = ? WHERE job_id = ? AND state IN (${new Array<string>(fromCount).fill('?').join(', ')})`;
}

/** A job patch's columns (and `updated_at`), for `UPDATE jobs SET … WHERE id = ?`. */
export function jobPatchColumns(patch: JobPatch, now: number): { text: string; values: unknown[] } {
  const row: Record<string, unknown> = { updated_at: now };
  if (patch.state !== undefined) row.state = patch.state;
  if (patch.error !== undefined) row.error = patch.error === null ? null : JSON.stringify(patch.error);
  if (patch.priority !== undefined) row.priority = patch.priority;
  if (patch.spec !== undefined) {
    row.spec = JSON.stringify(patch.spec);
    row.summary = JSON.stringify(summarizeSpec(patch.spec));
  }
  if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
  if (patch.endedAt !== undefined) row.ended_at = patch.endedAt;
  if (patch.finalCounts !== undefined) row.final_counts = patch.finalCounts === null ? null : JSON.stringify(patch.finalCounts);
  const columns = Object.keys(row);
  return { text: `UPDATE jobs SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`, values: Object.values(row) };
}

/** The task columns a patch may set, in a fixed order: a patch's statement is cached by which of them it sets. */
const TASK_PATCH_COLUMNS = ['state', 'output', 'attempts', 'failures', 'lapses', 'blame', 'lease_id', 'worker_id', 'error', 'checkpoint', 'ready_at'] as const;

/** The columns a task patch sets (a bit each, in `TASK_PATCH_COLUMNS` order) and their values, in that order. */
export function taskPatchColumns(patch: TaskPatch): { mask: number; values: unknown[] } {
  const values: unknown[] = [];
  let mask = 0;
  const set = (bit: number, value: unknown): void => {
    mask |= 1 << bit;
    values.push(value);
  };
  if (patch.state !== undefined) set(0, patch.state);
  if (patch.output !== undefined) set(1, patch.output === null ? null : JSON.stringify(patch.output));
  if (patch.attempts !== undefined) set(2, patch.attempts);
  if (patch.failures !== undefined) set(3, patch.failures);
  if (patch.lapses !== undefined) set(4, patch.lapses);
  if (patch.blame !== undefined) set(5, blameColumn(patch.blame));
  if (patch.leaseId !== undefined) set(6, patch.leaseId);
  if (patch.workerId !== undefined) set(7, patch.workerId);
  if (patch.error !== undefined) set(8, patch.error);
  if ('checkpoint' in patch) set(9, patch.checkpoint === undefined ? null : JSON.stringify(patch.checkpoint));
  if (patch.readyAt !== undefined) set(10, patch.readyAt);
  return { mask, values };
}

/** The columns a task patch sets, in order (see `taskPatchColumns`). */
export function taskPatchColumnNames(mask: number): string[] {
  return TASK_PATCH_COLUMNS.filter((_, bit) => (mask & (1 << bit)) !== 0);
}

/** The update statement of a task patch's columns (see `taskPatchColumns`): its parameters are the values, then now, job id, index. */
export function taskUpdateText(mask: number): string {
  const columns = [...taskPatchColumnNames(mask), 'updated_at'];
  return `UPDATE tasks SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE job_id = ? AND idx = ?`;
}
