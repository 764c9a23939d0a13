import type { JobOrder, JobState, TaskState } from '../../shared/index.js';
import type { Selectable } from 'kysely';
import { eventFromRow, jobFromRow, logFromRow, SUMMARY_SELECT, summaryFromRow, taskFromRow, workerFromRow, type SummaryRow } from './rows.js';
import type { JobEventRecord, JobRecord, JobSummary, JobSummaryQuery, LogFilter, LogRecord, Store, TaskOutput, TaskQuery, TaskRange, TaskRecord, TaskShape, WorkerRecord } from './store.js';
import type { JobEventTable, JobTable, LogTable, TaskTable, WorkerTable } from './tables.js';

/** Where the SQL of SQLite and PostgreSQL differ in what the reads ask. */
export interface SqlDialect {
  /** A condition that `column` is one of `values`, and its one parameter. */
  oneOf(column: string, values: readonly unknown[]): [condition: string, parameter: unknown];
  /** A condition that `column` holds the parameter's text, in any case. */
  contains(column: string): string;
}

/** Runs one statement (`?` for each parameter) and answers its rows. */
export type RunQuery = (text: string, parameters: readonly unknown[]) => Promise<unknown[]>;

const TERMINAL: readonly JobState[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'];

/** The conditions of a read and their parameters, in order (a limit's last). */
class Filter {
  private readonly conditions: string[] = [];
  readonly parameters: unknown[] = [];

  constructor(private readonly dialect: SqlDialect) {}

  add(condition: string, ...parameters: unknown[]): this {
    this.conditions.push(condition);
    this.parameters.push(...parameters);
    return this;
  }

  oneOf(column: string, values: readonly unknown[]): this {
    const [condition, parameter] = this.dialect.oneOf(column, values);
    return this.add(condition, parameter);
  }

  /** ` WHERE a AND b`, or nothing without conditions. */
  where(): string {
    return this.conditions.length === 0 ? '' : ` WHERE ${this.conditions.join(' AND ')}`;
  }

  /** ` LIMIT ?` with its parameter, or nothing without a limit. Call it after the last `add`. */
  limit(limit: number | undefined): string {
    if (limit === undefined || limit < 0) return '';
    this.parameters.push(limit);
    return ' LIMIT ?';
  }
}

const JOB_ORDER_BY: Record<JobOrder, string> = { oldest: 'seq', newest: 'seq DESC', priority: 'priority DESC, seq' };

type Reads = Omit<Store, 'write' | 'putBlob' | 'setMeta' | 'claimMeta' | 'lease' | 'close'>;

/** Every read of the store, written once for both SQL stores over their `RunQuery`. */
export class SqlReads implements Reads {
  constructor(
    private readonly query: RunQuery,
    private readonly dialect: SqlDialect,
  ) {}

  private async rows<Row>(text: string, ...parameters: unknown[]): Promise<Row[]> {
    return (await this.query(text, parameters)) as Row[];
  }

  private filter(): Filter {
    return new Filter(this.dialect);
  }

  async getJob(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.rows<Selectable<JobTable>>('SELECT * FROM jobs WHERE id = ?', id);
    return row && jobFromRow(row);
  }

  async getJobSummary(id: string): Promise<JobSummary | undefined> {
    const [row] = await this.rows<SummaryRow>(`SELECT ${SUMMARY_SELECT} FROM jobs WHERE id = ?`, id);
    return row && summaryFromRow(row);
  }

  async listJobSummaries(query: JobSummaryQuery = {}): Promise<JobSummary[]> {
    const filter = this.filter();
    const order = query.order ?? 'oldest';
    if (query.afterSeq !== undefined) {
      if (order === 'oldest') filter.add('seq > ?', query.afterSeq);
      else if (order === 'newest') filter.add('seq < ?', query.afterSeq);
      else filter.add('(priority < ? OR (priority = ? AND seq > ?))', query.afterPriority ?? 0, query.afterPriority ?? 0, query.afterSeq);
    }
    if (query.states !== undefined) filter.oneOf('state', query.states);
    if (query.nameContains !== undefined) filter.add(this.dialect.contains('name'), query.nameContains);
    const rows = await this.rows<SummaryRow>(`SELECT ${SUMMARY_SELECT} FROM jobs${filter.where()} ORDER BY ${JOB_ORDER_BY[order]}${filter.limit(query.limit)}`, ...filter.parameters);
    return rows.map(summaryFromRow);
  }

  async findJobByIdempotencyKey(key: string): Promise<JobRecord | undefined> {
    const [row] = await this.rows<Selectable<JobTable>>('SELECT * FROM jobs WHERE idempotency_key = ?', key);
    return row && jobFromRow(row);
  }

  async listJobEvents(jobId: string, afterId = 0): Promise<JobEventRecord[]> {
    const rows = await this.rows<Selectable<JobEventTable>>('SELECT * FROM job_events WHERE job_id = ? AND id > ? ORDER BY id', jobId, afterId);
    return rows.map(eventFromRow);
  }

  async listJobs(): Promise<JobRecord[]> {
    return (await this.rows<Selectable<JobTable>>('SELECT * FROM jobs ORDER BY seq')).map(jobFromRow);
  }

  async listActiveJobs(): Promise<JobRecord[]> {
    const [condition, parameter] = this.dialect.oneOf('state', TERMINAL);
    return (await this.rows<Selectable<JobTable>>(`SELECT * FROM jobs WHERE NOT (${condition}) ORDER BY seq`, parameter)).map(jobFromRow);
  }

  async countJobs(): Promise<Partial<Record<JobState, number>>> {
    const rows = await this.rows<{ state: JobState; count: number | string }>('SELECT state, count(*) AS count FROM jobs GROUP BY state');
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

  async listTasks(jobId: string, query: TaskQuery = {}): Promise<TaskRecord[]> {
    if (query.indices?.length === 0) return [];
    const filter = this.filter().add('job_id = ?', jobId);
    if (query.indices !== undefined) filter.oneOf('idx', query.indices);
    if (query.states !== undefined) filter.oneOf('state', query.states);
    if (query.tried) filter.add('attempts > 0');
    if (query.afterIndex !== undefined) filter.add('idx > ?', query.afterIndex);
    const rows = await this.rows<Selectable<TaskTable>>(`SELECT * FROM tasks${filter.where()} ORDER BY idx${filter.limit(query.limit)}`, ...filter.parameters);
    return rows.map(taskFromRow);
  }

  async listTaskShapes(jobId: string, { afterIndex = -1, limit }: TaskRange = {}): Promise<TaskShape[]> {
    const filter = this.filter().add('job_id = ?', jobId).add('idx > ?', afterIndex);
    const rows = await this.rows<{ idx: number; state: string; first_item: number; item_count: number }>(
      `SELECT idx, state, first_item, item_count FROM tasks${filter.where()} ORDER BY idx${filter.limit(limit)}`,
      ...filter.parameters,
    );
    return rows.map((row) => ({ index: row.idx, state: row.state as TaskState, firstItem: row.first_item, itemCount: row.item_count }));
  }

  async countTasks(jobIds?: string[]): Promise<Map<string, Partial<Record<TaskState, number>>>> {
    if (jobIds?.length === 0) return new Map();
    const filter = this.filter();
    if (jobIds) filter.oneOf('job_id', jobIds);
    const rows = await this.rows<{ job_id: string; state: TaskState; count: number | string }>(
      `SELECT job_id, state, count(*) AS count FROM tasks${filter.where()} GROUP BY job_id, state`,
      ...filter.parameters,
    );
    const counts = new Map<string, Partial<Record<TaskState, number>>>();
    for (const row of rows) {
      const byState = counts.get(row.job_id) ?? {};
      byState[row.state] = Number(row.count);
      counts.set(row.job_id, byState);
    }
    return counts;
  }

  async listOutputs(jobId: string, { afterIndex = -1, limit }: TaskRange = {}): Promise<TaskOutput[]> {
    const filter = this.filter().add('job_id = ?', jobId).add('idx > ?', afterIndex).add("state = 'done'");
    const rows = await this.rows<{ idx: number; first_item: number; output: string | null }>(
      `SELECT idx, first_item, output FROM tasks${filter.where()} ORDER BY idx${filter.limit(limit)}`,
      ...filter.parameters,
    );
    return rows.map((row) => ({ index: row.idx, firstItem: row.first_item, output: JSON.parse(row.output ?? '[]') as unknown[] }));
  }

  async listLogs(jobId: string, afterId = 0, { taskIndex, levels, text, newest }: LogFilter = {}): Promise<LogRecord[]> {
    const filter = this.filter().add('job_id = ?', jobId).add('id > ?', afterId);
    if (taskIndex !== undefined) filter.add('task_idx = ?', taskIndex);
    if (levels !== undefined) filter.oneOf('level', levels);
    if (text !== undefined) filter.add(this.dialect.contains('message'), text);
    // The newest lines are the last ones: read backwards as far as the limit, answer them forwards.
    const statement =
      newest === undefined
        ? `SELECT * FROM logs${filter.where()} ORDER BY id`
        : `SELECT * FROM (SELECT * FROM logs${filter.where()} ORDER BY id DESC${filter.limit(newest)}) AS newest ORDER BY id`;
    const rows = await this.rows<Selectable<LogTable>>(statement, ...filter.parameters);
    return rows.map(logFromRow);
  }

  async getBlob(sha256: string): Promise<Uint8Array | undefined> {
    const [row] = await this.rows<{ bytes: Uint8Array }>('SELECT bytes FROM blobs WHERE sha256 = ?', sha256);
    return row && new Uint8Array(row.bytes);
  }

  async hasBlob(sha256: string): Promise<boolean> {
    return (await this.rows('SELECT 1 FROM blobs WHERE sha256 = ?', sha256)).length > 0;
  }

  async getWorker(id: string): Promise<WorkerRecord | undefined> {
    const [row] = await this.rows<Selectable<WorkerTable>>('SELECT * FROM workers WHERE id = ?', id);
    return row && workerFromRow(row);
  }

  async listWorkers(query: { quarantined?: boolean; limit: number }): Promise<WorkerRecord[]> {
    const filter = this.filter();
    if (query.quarantined !== undefined) filter.add('quarantined = ?', query.quarantined ? 1 : 0);
    const rows = await this.rows<Selectable<WorkerTable>>(`SELECT * FROM workers${filter.where()} ORDER BY updated_at DESC${filter.limit(query.limit)}`, ...filter.parameters);
    return rows.map(workerFromRow);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const [row] = await this.rows<{ value: string }>('SELECT value FROM meta WHERE key = ?', key);
    return row?.value;
  }
}
