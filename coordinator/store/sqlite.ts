import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type Selectable } from 'kysely';
import type { JobError, JobSpec, JobState, LogLevel, TaskState } from '../../shared/index.js';
import { migrate } from './migrations.js';
import { SqliteWrites } from './sqlite-writes.js';
import { Statements } from './statements.js';
import type { JobEventRecord, JobRecord, JobSummary, JobSummaryQuery, LogRecord, Store, StoreChange, TaskBlame, TaskOutput, TaskRange, TaskQuery, TaskRecord, TaskShape, WorkerRecord } from './store.js';
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
  return new SqliteStore(db, sqlite);
}

/** Every column of a job but its spec: what a status shows. */
const SUMMARY_COLUMNS = [
  'seq', 'id', 'name', 'state', 'priority', 'item_count', 'task_count', 'error', 'idempotency_key', 'created_at', 'updated_at', 'summary', 'final_counts',
] as const;
const SUMMARY_SELECT = SUMMARY_COLUMNS.join(', ');
type SummaryRow = Pick<Selectable<JobTable>, (typeof SUMMARY_COLUMNS)[number]>;

function summaryFromRow(row: SummaryRow): JobSummary {
  const { runMode, reduce, validation } = JSON.parse(row.summary) as { runMode?: JobSummary['runMode']; reduce?: boolean; validation?: JobSummary['validation'] | null };
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
    reduce: reduce ?? false,
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

/** The blame of a task nobody failed on: shared (frozen) by every such task read, a window of a thousand at a time. */
const NO_BLAME: TaskBlame = Object.freeze({ failedOn: Object.freeze([]) as unknown as string[], lapsedOn: Object.freeze([]) as unknown as string[], excluded: Object.freeze([]) as unknown as string[] });

function blameFromColumn(text: string | null): TaskBlame {
  if (text === null) return NO_BLAME;
  const blame = JSON.parse(text) as Partial<TaskBlame>;
  return { failedOn: blame.failedOn ?? [], lapsedOn: blame.lapsedOn ?? [], excluded: blame.excluded ?? [] };
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

/** The conditions of a prepared read and their parameters, in order (a limit's last). */
class Filter {
  private readonly conditions: string[] = [];
  readonly parameters: unknown[] = [];

  add(condition: string, ...parameters: unknown[]): this {
    this.conditions.push(condition);
    this.parameters.push(...parameters);
    return this;
  }

  /** ` WHERE a AND b`, or nothing without conditions. */
  where(): string {
    return this.conditions.length === 0 ? '' : ` WHERE ${this.conditions.join(' AND ')}`;
  }

  /** ` LIMIT ?` with its parameter, or nothing without a limit. Call it after the last `add`. */
  limit(limit: number | undefined): string {
    if (limit === undefined) return '';
    this.parameters.push(limit);
    return ' LIMIT ?';
  }
}

class SqliteStore implements Store {
  private readonly writes: SqliteWrites;
  /** The reads a running grid makes all the time (status, lists, windows of tasks, results), prepared once; the rest go through Kysely. */
  private readonly statements: Statements;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
  ) {
    this.statements = new Statements(sqlite);
    this.writes = new SqliteWrites(sqlite, this.statements);
  }

  /** A prepared read's answer, as a promise (a throw becomes a rejection), as every store read answers. */
  private read<T>(compute: () => T): Promise<T> {
    try {
      return Promise.resolve(compute());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Rows of a prepared read. */
  private rows<Row>(text: string, ...parameters: unknown[]): Row[] {
    return this.statements.get(text).all(...parameters) as Row[];
  }

  write(changes: readonly StoreChange[]): Promise<number[][]> {
    return Promise.resolve().then(() => this.writes.write(changes));
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && jobFromRow(row);
  }

  getJobSummary(id: string): Promise<JobSummary | undefined> {
    return this.read(() => {
      const [row] = this.rows<SummaryRow>(`SELECT ${SUMMARY_SELECT} FROM jobs WHERE id = ?`, id);
      return row && summaryFromRow(row);
    });
  }

  listJobSummaries(query: JobSummaryQuery = {}): Promise<JobSummary[]> {
    return this.read(() => {
      const filter = new Filter();
      if (query.afterSeq !== undefined) filter.add('seq > ?', query.afterSeq);
      if (query.states !== undefined) filter.add('state IN (SELECT value FROM json_each(?))', JSON.stringify(query.states));
      if (query.nameContains !== undefined) filter.add('instr(lower(name), lower(?)) > 0', query.nameContains);
      return this.rows<SummaryRow>(`SELECT ${SUMMARY_SELECT} FROM jobs${filter.where()} ORDER BY seq${filter.limit(query.limit)}`, ...filter.parameters).map(summaryFromRow);
    });
  }

  async findJobByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
    return row && jobFromRow(row);
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

  async countJobs(): Promise<Partial<Record<JobState, number>>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('state')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

  listTasks(jobId: string, query: TaskQuery = {}): Promise<TaskRecord[]> {
    return this.read(() => {
      if (query.indices?.length === 0) return [];
      const filter = new Filter().add('job_id = ?', jobId);
      if (query.indices !== undefined) filter.add('idx IN (SELECT value FROM json_each(?))', JSON.stringify(query.indices));
      if (query.states !== undefined) filter.add('state IN (SELECT value FROM json_each(?))', JSON.stringify(query.states));
      if (query.tried) filter.add('attempts > 0');
      if (query.afterIndex !== undefined) filter.add('idx > ?', query.afterIndex);
      return this.rows<Selectable<TaskTable>>(`SELECT * FROM tasks${filter.where()} ORDER BY idx${filter.limit(query.limit)}`, ...filter.parameters).map(taskFromRow);
    });
  }

  listTaskShapes(jobId: string): Promise<TaskShape[]> {
    return this.read(() => {
      const rows = this.rows<{ idx: number; state: string; first_item: number; item_count: number }>(
        'SELECT idx, state, first_item, item_count FROM tasks WHERE job_id = ? ORDER BY idx',
        jobId,
      );
      return rows.map((row) => ({ index: row.idx, state: row.state as TaskState, firstItem: row.first_item, itemCount: row.item_count }));
    });
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

  listOutputs(jobId: string, { afterIndex = -1, limit = -1 }: TaskRange = {}): Promise<TaskOutput[]> {
    return this.read(() => {
      const rows = this.rows<{ idx: number; first_item: number; output: string | null }>(
        "SELECT idx, first_item, output FROM tasks WHERE job_id = ? AND idx > ? AND state = 'done' ORDER BY idx LIMIT ?",
        jobId,
        afterIndex,
        limit,
      );
      return rows.map((row) => ({ index: row.idx, firstItem: row.first_item, output: JSON.parse(row.output ?? '[]') as unknown[] }));
    });
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
