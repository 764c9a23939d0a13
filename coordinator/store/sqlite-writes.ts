import type { Database as SQLiteDatabase, Statement } from 'better-sqlite3';
import { INSERT_EVENT, INSERT_JOB, INSERT_LOG, jobPatchColumns, jobValues, moveTasksText, PUT_WORKER, taskPatchColumns, taskUpdateText, taskValues, workerValues } from './rows.js';
import type { Statements } from './statements.js';
import type { NewJob, NewTask, StoreChange, TaskPatch } from './store.js';

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
    switch (change.type) {
      case 'createJob':
        return [this.createJob(change.job, change.tasks)];
      case 'updateJob': {
        const { text, values } = jobPatchColumns(change.patch, Date.now());
        this.prepared(text).run(...values, change.id);
        return [];
      }
      case 'updateTask':
        this.updateTask(change.jobId, change.index, change.patch);
        return [];
      case 'moveTasks':
        this.prepared(moveTasksText(change.from.length, change.fresh)).run(change.to, Date.now(), change.jobId, ...change.from);
        return [];
      case 'appendEvent': {
        const { jobId, time, from, to, reason } = change.event;
        return [this.insertedId(this.prepared(INSERT_EVENT).get(jobId, time, from, to, reason))];
      }
      case 'appendLogs': {
        const insert = this.prepared(INSERT_LOG);
        return change.entries.map((entry) => this.insertedId(insert.get(entry.jobId, entry.taskIndex, entry.workerId, entry.level, entry.message, entry.time)));
      }
      case 'putWorker':
        this.prepared(PUT_WORKER).run(...workerValues(change.record));
        return [];
    }
  }

  private createJob(job: NewJob, tasks: Iterable<NewTask>): number {
    const seq = this.insertedId(this.prepared(INSERT_JOB).get(...jobValues(job)));
    const insertTask = this.prepared(
      `INSERT INTO tasks (job_id, idx, state, first_item, item_count, input, attempts, failures, lapses, ready_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?)`,
    );
    for (const task of tasks) insertTask.run(job.id, ...taskValues(task), job.createdAt);
    return seq;
  }

  /** Sets a task's columns the patch names (and `updated_at`): the task update of every transition, so it builds no SQL text. */
  private updateTask(jobId: string, index: number, patch: TaskPatch): void {
    const { mask, values } = taskPatchColumns(patch);
    let statement = this.taskUpdates.get(mask);
    if (!statement) this.taskUpdates.set(mask, (statement = this.prepared(taskUpdateText(mask))));
    values.push(Date.now(), jobId, index);
    statement.run(values);
  }

  private prepared(text: string): Statement {
    return this.statements.get(text);
  }

  /** The id a `RETURNING` statement answered. */
  private insertedId(row: unknown): number {
    return Number(Object.values(row as Record<string, number | bigint>)[0]);
  }
}
