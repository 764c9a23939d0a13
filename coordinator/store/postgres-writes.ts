import type pg from 'pg';
import { NOW_MS, type Numbered } from './postgres-sql.js';
import { INSERT_EVENT, INSERT_JOB, INSERT_LOG, jobPatchColumns, jobValues, moveTasksText, PUT_WORKER, taskPatchColumns, taskUpdateText, taskValues, workerValues } from './rows.js';
import { LostLeaseError, type CoordinatorLease, type NewJob, type NewTask, type StoreChange } from './store.js';

/** Runs one statement of a transaction (`?` placeholders) and answers its rows. */
type Query = (text: string, values: readonly unknown[]) => Promise<unknown[]>;

/** Tasks per insert statement when a job is created (their columns as arrays, through `unnest`). */
const TASKS_PER_INSERT = 5_000;

const INSERT_TASKS = `INSERT INTO tasks (job_id, idx, state, first_item, item_count, input, attempts, failures, lapses, ready_at, updated_at)
  SELECT ?, t.idx, t.state, t.first_item, t.item_count, t.input, 0, 0, 0, 0, ?
  FROM unnest(?::integer[], ?::text[], ?::bigint[], ?::integer[], ?::text[]) AS t(idx, state, first_item, item_count, input)`;

/**
 * The PostgreSQL store's one write path: a list of changes in one transaction, which first checks
 * (and holds, `FOR SHARE`) the lease this coordinator was given. A standby taking the lease over
 * waits for that transaction and moves the token on, so no write of the old active lands after it.
 */
export class PostgresWrites {
  /** The fencing token of the lease this store holds; none: it writes nothing. */
  private token: number | undefined;
  readonly lease: CoordinatorLease;

  constructor(
    private readonly pool: pg.Pool,
    private readonly numbered: Numbered,
  ) {
    this.lease = {
      acquire: async (holder, ttlMs) => {
        const rows = await this.rows(
          `UPDATE coordinator_lease SET holder = ?, token = token + 1, expires_at = ${NOW_MS} + ?
           WHERE id = 1 AND (holder IS NULL OR expires_at < ${NOW_MS}) RETURNING token`,
          [holder, ttlMs],
        );
        const token = (rows[0] as { token: number } | undefined)?.token;
        if (token !== undefined) this.token = token;
        return token;
      },
      renew: async (ttlMs) => {
        if (this.token === undefined) return false;
        const rows = await this.rows(`UPDATE coordinator_lease SET expires_at = ${NOW_MS} + ? WHERE id = 1 AND token = ? RETURNING token`, [ttlMs, this.token]);
        if (rows.length === 0) this.token = undefined;
        return rows.length > 0;
      },
      release: async () => {
        if (this.token === undefined) return;
        const token = this.token;
        this.token = undefined;
        await this.rows('UPDATE coordinator_lease SET holder = NULL, expires_at = 0 WHERE id = 1 AND token = ?', [token]);
      },
    };
  }

  private async rows(text: string, values: readonly unknown[]): Promise<unknown[]> {
    return (await this.pool.query(this.numbered.statement(text, values))).rows as unknown[];
  }

  async write(changes: readonly StoreChange[]): Promise<number[][]> {
    if (changes.length === 0) return [];
    return this.fenced(async (query) => {
      const answers: number[][] = [];
      for (const change of changes) answers.push(await this.applyOne(query, change));
      return answers;
    });
  }

  /** Runs `work` in one transaction that holds the lease's token (else `LostLeaseError`, nothing written). */
  async fenced<T>(work: (query: Query) => Promise<T>): Promise<T> {
    const token = this.token;
    if (token === undefined) throw new LostLeaseError();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      const query: Query = async (text, values) => (await client.query(this.numbered.statement(text, values))).rows as unknown[];
      await client.query('BEGIN');
      const [held] = (await query('SELECT token FROM coordinator_lease WHERE id = 1 FOR SHARE', [])) as [{ token: number }];
      if (held.token !== token) {
        this.token = undefined;
        throw new LostLeaseError();
      }
      const answer = await work(query);
      await client.query('COMMIT');
      return answer;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
        broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
      });
      throw error;
    } finally {
      // A connection whose rollback failed is not given back to the pool.
      client.release(broken);
    }
  }

  private async applyOne(query: Query, change: StoreChange): Promise<number[]> {
    switch (change.type) {
      case 'createJob':
        return [await this.createJob(query, change.job, change.tasks)];
      case 'updateJob': {
        const { text, values } = jobPatchColumns(change.patch, Date.now());
        await query(text, [...values, change.id]);
        return [];
      }
      case 'updateTask': {
        const { mask, values } = taskPatchColumns(change.patch);
        await query(taskUpdateText(mask), [...values, Date.now(), change.jobId, change.index]);
        return [];
      }
      case 'moveTasks':
        await query(moveTasksText(change.from.length), [change.to, Date.now(), change.jobId, ...change.from]);
        return [];
      case 'appendEvent': {
        const { jobId, time, from, to, reason } = change.event;
        return [insertedId(await query(INSERT_EVENT, [jobId, time, from, to, reason]))];
      }
      case 'appendLogs': {
        const ids: number[] = [];
        for (const entry of change.entries) ids.push(insertedId(await query(INSERT_LOG, [entry.jobId, entry.taskIndex, entry.workerId, entry.level, entry.message, entry.time])));
        return ids;
      }
      case 'putWorker':
        await query(PUT_WORKER, workerValues(change.record));
        return [];
    }
  }

  private async createJob(query: Query, job: NewJob, tasks: Iterable<NewTask>): Promise<number> {
    const seq = insertedId(await query(INSERT_JOB, jobValues(job)));
    let columns = emptyColumns();
    const flush = async (): Promise<void> => {
      if (columns[0].length === 0) return;
      await query(INSERT_TASKS, [job.id, job.createdAt, ...columns]);
      columns = emptyColumns();
    };
    for (const task of tasks) {
      taskValues(task).forEach((value, column) => columns[column]!.push(value));
      if (columns[0].length === TASKS_PER_INSERT) await flush();
    }
    await flush();
    return seq;
  }
}

function emptyColumns(): [unknown[], unknown[], unknown[], unknown[], unknown[]] {
  return [[], [], [], [], []];
}

/** The id a `RETURNING` statement answered. */
function insertedId(rows: unknown[]): number {
  return Number(Object.values(rows[0] as Record<string, number>)[0]);
}
