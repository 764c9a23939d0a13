import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Selectable, type Updateable } from 'kysely';
import type { JobError, JobSpec, JobState, LogLevel, TaskState } from '../../shared/index.js';
import { migrate } from './migrations.js';
import type {
  JobEventRecord,
  JobPatch,
  JobRecord,
  JobSummary,
  JobSummaryQuery,
  LogRecord,
  NewJob,
  NewJobEvent,
  NewLog,
  Store,
  TaskOutput,
  TaskBlame,
  TaskPatch,
  TaskRecord,
  WorkerRecord,
} from './store.js';
import { summarizeSpec } from './store.js';
import type { Database, JobTable, TaskTable, WorkerTable } from './tables.js';

const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'];

/**
 * Opens (creating if needed) the embedded store: one SQLite file in WAL mode.
 * @param path a file path, or ':memory:' for tests
 */
export async function openSqliteStore(path: string): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (SIGKILL) without losing a commit; only an OS crash could.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return new SqliteStore(db);
}

/** Every column of a job but its spec: what a status shows. */
const SUMMARY_COLUMNS = [
  'seq', 'id', 'name', 'state', 'priority', 'item_count', 'task_count', 'error', 'idempotency_key', 'created_at', 'updated_at', 'summary', 'final_counts',
] as const;

function summaryFromRow(row: Pick<Selectable<JobTable>, (typeof SUMMARY_COLUMNS)[number]>): JobSummary {
  const { runMode, validation } = JSON.parse(row.summary) as { runMode?: JobSummary['runMode']; validation?: JobSummary['validation'] | null };
  const summary: JobSummary = {
    seq: row.seq,
    id: row.id,
    name: row.name,
    state: row.state as JobState,
    priority: row.priority,
    itemCount: row.item_count,
    taskCount: row.task_count,
    error: row.error === null ? null : (JSON.parse(row.error) as JobError),
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    runMode: runMode ?? 'immediate',
  };
  if (validation) summary.validation = validation;
  if (row.final_counts !== null) summary.finalCounts = JSON.parse(row.final_counts) as JobSummary['finalCounts'] & object;
  return summary;
}

function jobFromRow(row: Selectable<JobTable>): JobRecord {
  return {
    seq: row.seq,
    id: row.id,
    name: row.name,
    state: row.state as JobState,
    priority: row.priority,
    spec: JSON.parse(row.spec) as JobSpec,
    codeSha: row.code_sha,
    itemCount: row.item_count,
    taskCount: row.task_count,
    error: row.error === null ? null : (JSON.parse(row.error) as JobError),
    idempotencyKey: row.idempotency_key,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function taskFromRow(row: Selectable<TaskTable>): TaskRecord {
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

function blameFromColumn(text: string | null): TaskBlame {
  if (text === null) return { failedOn: [], lapsedOn: [], excluded: [] };
  const blame = JSON.parse(text) as Partial<TaskBlame>;
  return { failedOn: blame.failedOn ?? [], lapsedOn: blame.lapsedOn ?? [], excluded: blame.excluded ?? [] };
}

function blameColumn(blame: TaskBlame): string | null {
  if (blame.failedOn.length + blame.lapsedOn.length + blame.excluded.length === 0) return null;
  return JSON.stringify({ failedOn: blame.failedOn, lapsedOn: blame.lapsedOn, excluded: blame.excluded });
}

function workerFromRow(row: Selectable<WorkerTable>): WorkerRecord {
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

function taskPatchToRow(patch: TaskPatch): Partial<TaskTable> {
  const row: Partial<TaskTable> = {};
  if (patch.state !== undefined) row.state = patch.state;
  if (patch.output !== undefined) row.output = patch.output === null ? null : JSON.stringify(patch.output);
  if (patch.attempts !== undefined) row.attempts = patch.attempts;
  if (patch.failures !== undefined) row.failures = patch.failures;
  if (patch.lapses !== undefined) row.lapses = patch.lapses;
  if (patch.blame !== undefined) row.blame = blameColumn(patch.blame);
  if (patch.leaseId !== undefined) row.lease_id = patch.leaseId;
  if (patch.workerId !== undefined) row.worker_id = patch.workerId;
  if (patch.error !== undefined) row.error = patch.error;
  if ('checkpoint' in patch) row.checkpoint = patch.checkpoint === undefined ? null : JSON.stringify(patch.checkpoint);
  if (patch.readyAt !== undefined) row.ready_at = patch.readyAt;
  return row;
}

class SqliteStore implements Store {
  constructor(private readonly db: Kysely<Database>) {}

  async createJob(job: NewJob, tasks: TaskRecord[]): Promise<JobRecord> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('jobs')
        .values({
          id: job.id,
          name: job.name,
          state: job.state,
          priority: job.priority,
          spec: JSON.stringify(job.spec),
          code_sha: job.codeSha,
          item_count: job.itemCount,
          task_count: job.taskCount,
          error: job.error === null ? null : JSON.stringify(job.error),
          idempotency_key: job.idempotencyKey,
          created_at: job.createdAt,
          updated_at: job.updatedAt,
          summary: JSON.stringify(summarizeSpec(job.spec)),
          // A job created ended (REJECTED) has no tasks to count.
          final_counts: TERMINAL.includes(job.state) ? JSON.stringify({ done: 0, failed: 0 }) : null,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      // SQLite caps bound parameters per statement (32766); 16 columns × 1000 rows stays under it.
      for (let start = 0; start < tasks.length; start += 1000) {
        const rows = tasks.slice(start, start + 1000).map((task) => ({
          job_id: task.jobId,
          idx: task.index,
          state: task.state,
          first_item: task.firstItem,
          item_count: task.itemCount,
          input: JSON.stringify(task.input),
          output: task.output === null ? null : JSON.stringify(task.output),
          attempts: task.attempts,
          failures: task.failures,
          lapses: task.lapses,
          blame: blameColumn(task),
          lease_id: task.leaseId,
          worker_id: task.workerId,
          error: task.error,
          checkpoint: task.checkpoint === undefined ? null : JSON.stringify(task.checkpoint),
          ready_at: task.readyAt,
          updated_at: task.updatedAt,
        }));
        await trx.insertInto('tasks').values(rows).execute();
      }
      return { ...job, seq: inserted.seq };
    });
  }

  async updateJob(id: string, patch: JobPatch): Promise<void> {
    const row: Updateable<JobTable> = { updated_at: Date.now() };
    if (patch.state !== undefined) row.state = patch.state;
    if (patch.error !== undefined) row.error = patch.error === null ? null : JSON.stringify(patch.error);
    if (patch.finalCounts !== undefined) row.final_counts = JSON.stringify(patch.finalCounts);
    await this.db.updateTable('jobs').set(row).where('id', '=', id).execute();
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && jobFromRow(row);
  }

  async getJobSummary(id: string): Promise<JobSummary | undefined> {
    const row = await this.db.selectFrom('jobs').select(SUMMARY_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && summaryFromRow(row);
  }

  async listJobSummaries(query: JobSummaryQuery = {}): Promise<JobSummary[]> {
    let select = this.db.selectFrom('jobs').select(SUMMARY_COLUMNS).orderBy('seq');
    if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
    if (query.states !== undefined) select = select.where('state', 'in', query.states);
    if (query.nameContains !== undefined) select = select.where(sql<boolean>`instr(lower(name), lower(${query.nameContains})) > 0`);
    if (query.limit !== undefined) select = select.limit(query.limit);
    return (await select.execute()).map(summaryFromRow);
  }

  async findJobByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    return row && jobFromRow(row);
  }

  async appendJobEvent(event: NewJobEvent): Promise<JobEventRecord> {
    const row = await this.db
      .insertInto('job_events')
      .values({ job_id: event.jobId, time: event.time, from_state: event.from, to_state: event.to, reason: event.reason })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...event, id: row.id };
  }

  async listJobEvents(jobId: string, afterId = 0): Promise<JobEventRecord[]> {
    const rows = await this.db
      .selectFrom('job_events')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('id', '>', afterId)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      jobId: row.job_id,
      time: Number(row.time),
      from: row.from_state as JobState | null,
      to: row.to_state as JobState,
      reason: row.reason,
    }));
  }

  async listJobs(): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().orderBy('seq').execute();
    return rows.map(jobFromRow);
  }

  async listActiveJobs(): Promise<JobRecord[]> {
    const rows = await this.db.selectFrom('jobs').selectAll().where('state', 'not in', TERMINAL).orderBy('seq').execute();
    return rows.map(jobFromRow);
  }

  async updateTask(jobId: string, index: number, patch: TaskPatch): Promise<void> {
    await this.db
      .updateTable('tasks')
      .set({ ...taskPatchToRow(patch), updated_at: Date.now() })
      .where('job_id', '=', jobId)
      .where('idx', '=', index)
      .execute();
  }

  async moveTasks(jobId: string, from: TaskState[], to: TaskState): Promise<void> {
    await this.db
      .updateTable('tasks')
      .set({ state: to, lease_id: null, updated_at: Date.now() })
      .where('job_id', '=', jobId)
      .where('state', 'in', from)
      .execute();
  }

  async countJobs(): Promise<Partial<Record<JobState, number>>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

  async listTasks(jobId: string): Promise<TaskRecord[]> {
    const rows = await this.db.selectFrom('tasks').selectAll().where('job_id', '=', jobId).orderBy('idx').execute();
    return rows.map(taskFromRow);
  }

  async countTasks(jobIds?: string[]): Promise<Map<string, Partial<Record<TaskState, number>>>> {
    let query = this.db
      .selectFrom('tasks')
      .select(['job_id', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['job_id', 'state']);
    if (jobIds) {
      if (jobIds.length === 0) return new Map();
      query = query.where('job_id', 'in', jobIds);
    }
    const counts = new Map<string, Partial<Record<TaskState, number>>>();
    for (const row of await query.execute()) {
      const byState = counts.get(row.job_id) ?? {};
      byState[row.state as TaskState] = Number(row.count);
      counts.set(row.job_id, byState);
    }
    return counts;
  }

  async listOutputs(jobId: string): Promise<TaskOutput[]> {
    const rows = await this.db
      .selectFrom('tasks')
      .select(['idx', 'first_item', 'output'])
      .where('job_id', '=', jobId)
      .where('state', '=', 'done')
      .orderBy('idx')
      .execute();
    return rows.map((row) => ({
      index: row.idx,
      firstItem: row.first_item,
      output: JSON.parse(row.output ?? '[]') as unknown[],
    }));
  }

  async appendLogs(entries: NewLog[]): Promise<LogRecord[]> {
    if (entries.length === 0) return [];
    const rows = await this.db
      .insertInto('logs')
      .values(
        entries.map((entry) => ({
          job_id: entry.jobId,
          task_idx: entry.taskIndex,
          worker_id: entry.workerId,
          level: entry.level,
          message: entry.message,
          time: entry.time,
        })),
      )
      .returning('id')
      .execute();
    return entries.map((entry, index) => ({ ...entry, id: rows[index]!.id }));
  }

  async listLogs(jobId: string, afterId = 0): Promise<LogRecord[]> {
    const rows = await this.db
      .selectFrom('logs')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('id', '>', afterId)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      jobId: row.job_id,
      taskIndex: row.task_idx,
      workerId: row.worker_id,
      level: row.level as LogLevel,
      message: row.message,
      time: Number(row.time),
    }));
  }

  async putBlob(sha256: string, bytes: Uint8Array): Promise<void> {
    await this.db
      .insertInto('blobs')
      .values({ sha256, bytes, size: bytes.byteLength, created_at: Date.now() })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
  }

  async getBlob(sha256: string): Promise<Uint8Array | undefined> {
    const row = await this.db.selectFrom('blobs').select('bytes').where('sha256', '=', sha256).executeTakeFirst();
    return row && new Uint8Array(row.bytes);
  }

  async hasBlob(sha256: string): Promise<boolean> {
    const row = await this.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256).executeTakeFirst();
    return row !== undefined;
  }

  async getWorker(id: string): Promise<WorkerRecord | undefined> {
    const row = await this.db.selectFrom('workers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? workerFromRow(row) : undefined;
  }

  async putWorker(record: WorkerRecord): Promise<void> {
    const row = {
      valid: record.valid,
      invalid: record.invalid,
      streak: record.streak,
      errors: record.errors,
      recent: record.recent,
      quarantined: record.quarantined ? 1 : 0,
      note: record.note,
      updated_at: record.updatedAt,
    };
    await this.db
      .insertInto('workers')
      .values({ id: record.id, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
  }

  async listWorkers(filter: { quarantined?: boolean; limit: number }): Promise<WorkerRecord[]> {
    let query = this.db.selectFrom('workers').selectAll();
    if (filter.quarantined !== undefined) query = query.where('quarantined', '=', filter.quarantined ? 1 : 0);
    const rows = await query.orderBy('updated_at', 'desc').limit(filter.limit).execute();
    return rows.map(workerFromRow);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
