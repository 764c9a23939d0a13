import type { Database as SQLiteDatabase, Statement } from 'better-sqlite3';
import { isTerminal } from '../../shared/index.js';
import type { Statements } from './statements.js';
import type { JobPatch, NewJob, NewTask, StoreChange, TaskBlame, TaskPatch, WorkerRecord } from './store.js';
import { summarizeSpec } from './store.js';

/**
 * The SQLite store's one write path: a list of changes applied in one transaction through
 * statements prepared once (an update's statement is prepared once per set of columns it sets).
 */
export class SqliteWrites {
  private readonly apply: (changes: readonly StoreChange[]) => number[][];
  /** Task updates' statements, by which columns they set (see `taskPatchColumns`). */
  private readonly taskUpdates = new Map<number, Statement>();

  constructor(
    sqlite: SQLiteDatabase,
    private readonly statements: Statements,
  ) {
    this.apply = sqlite.transaction((changes: readonly StoreChange[]) => changes.map((change) => this.applyOne(change)));
  }

  write(changes: readonly StoreChange[]): number[][] {
    return changes.length === 0 ? [] : this.apply(changes);
  }

  private applyOne(change: StoreChange): number[] {
    const now = Date.now();
    switch (change.type) {
      case 'createJob':
        return [this.createJob(change.job, change.tasks)];
      case 'updateJob':
        this.update('jobs', jobPatchToRow(change.patch, now), 'id = ?', [change.id]);
        return [];
      case 'updateTask':
        this.updateTask(change.jobId, change.index, change.patch, now);
        return [];
      case 'moveTasks': {
        const marks = change.from.map(() => '?').join(', ');
        this.prepared(`UPDATE tasks SET state = ?, lease_id = NULL, updated_at = ? WHERE job_id = ? AND state IN (${marks})`).run(change.to, now, change.jobId, ...change.from);
        return [];
      }
      case 'appendEvent': {
        const { jobId, time, from, to, reason } = change.event;
        return [this.insertedId(this.prepared('INSERT INTO job_events (job_id, time, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)').run(jobId, time, from, to, reason))];
      }
      case 'appendLogs': {
        const insert = this.prepared('INSERT INTO logs (job_id, task_idx, worker_id, level, message, time) VALUES (?, ?, ?, ?, ?, ?)');
        return change.entries.map((entry) => this.insertedId(insert.run(entry.jobId, entry.taskIndex, entry.workerId, entry.level, entry.message, entry.time)));
      }
      case 'putWorker':
        this.putWorker(change.record);
        return [];
    }
  }

  private createJob(job: NewJob, tasks: Iterable<NewTask>): number {
    const inserted = this.prepared(
      `INSERT INTO jobs (id, name, state, priority, spec, code_sha, item_count, task_count, error, idempotency_key, created_at, updated_at, summary, final_counts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
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
      // A job created ended (REJECTED) has no tasks to count.
      isTerminal(job.state) ? JSON.stringify({ done: 0, failed: 0 }) : null,
    );
    const insertTask = this.prepared(
      `INSERT INTO tasks (job_id, idx, state, first_item, item_count, input, attempts, failures, lapses, ready_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?)`,
    );
    for (const task of tasks) insertTask.run(job.id, task.index, task.state, task.firstItem, task.itemCount, JSON.stringify(task.input), job.createdAt);
    return this.insertedId(inserted);
  }

  private putWorker(record: WorkerRecord): void {
    this.prepared(
      `INSERT INTO workers (id, valid, invalid, streak, errors, recent, quarantined, note, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET valid = excluded.valid, invalid = excluded.invalid, streak = excluded.streak, errors = excluded.errors,
         recent = excluded.recent, quarantined = excluded.quarantined, note = excluded.note, updated_at = excluded.updated_at`,
    ).run(record.id, record.valid, record.invalid, record.streak, record.errors, record.recent, record.quarantined ? 1 : 0, record.note, record.updatedAt);
  }

  /** Sets a task's columns the patch names (and `updated_at`): the task update of every transition, so it builds no SQL text. */
  private updateTask(jobId: string, index: number, patch: TaskPatch, now: number): void {
    const { mask, values } = taskPatchColumns(patch);
    let statement = this.taskUpdates.get(mask);
    if (!statement) {
      const columns = [...TASK_PATCH_COLUMNS.filter((_, bit) => (mask & (1 << bit)) !== 0), 'updated_at'];
      statement = this.prepared(`UPDATE tasks SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE job_id = ? AND idx = ?`);
      this.taskUpdates.set(mask, statement);
    }
    values.push(now, jobId, index);
    statement.run(values);
  }

  /** `UPDATE table SET <the row's columns> WHERE where`, its statement prepared once per set of columns. */
  private update(table: 'jobs', row: Record<string, unknown>, where: string, keys: unknown[]): void {
    const columns = Object.keys(row);
    if (columns.length === 0) return;
    const statement = this.prepared(`UPDATE ${table} SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE ${where}`);
    statement.run(...Object.values(row), ...keys);
  }

  private prepared(text: string): Statement {
    return this.statements.get(text);
  }

  private insertedId(result: { lastInsertRowid: number | bigint }): number {
    return Number(result.lastInsertRowid);
  }
}

export function blameColumn(blame: TaskBlame): string | null {
  if (blame.failedOn.length + blame.lapsedOn.length + blame.excluded.length === 0) return null;
  return JSON.stringify({ failedOn: blame.failedOn, lapsedOn: blame.lapsedOn, excluded: blame.excluded });
}

function jobPatchToRow(patch: JobPatch, now: number): Record<string, unknown> {
  const row: Record<string, unknown> = { updated_at: now };
  if (patch.state !== undefined) row.state = patch.state;
  if (patch.error !== undefined) row.error = patch.error === null ? null : JSON.stringify(patch.error);
  if (patch.finalCounts !== undefined) row.final_counts = JSON.stringify(patch.finalCounts);
  return row;
}

/** The task columns a patch may set, in a fixed order: a patch's statement is cached by which of them it sets. */
const TASK_PATCH_COLUMNS = ['state', 'output', 'attempts', 'failures', 'lapses', 'blame', 'lease_id', 'worker_id', 'error', 'checkpoint', 'ready_at'] as const;

/** The columns a task patch sets (a bit each, in `TASK_PATCH_COLUMNS` order) and their values, in that order. */
function taskPatchColumns(patch: TaskPatch): { mask: number; values: unknown[] } {
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
