import type pg from 'pg';
import { NOW_MS, type Numbered } from './postgres-sql.js';
import { INSERT_EVENT, INSERT_JOB, INSERT_LOG, jobPatchColumns, jobValues, moveTasksText, PUT_WORKER, taskPatchColumnNames, taskPatchColumns, taskValues, workerValues } from './rows.js';
import { LostLeaseError, type CoordinatorLease, type NewJob, type NewTask, type StoreChange, type TaskPatch } from './store.js';

/** Runs one statement of a transaction (`?` placeholders) and answers its rows. */
type Query = (text: string, values: readonly unknown[]) => Promise<unknown[]>;

/** Tasks per insert statement when a job is created (their columns as arrays, through `unnest`). */
const TASKS_PER_INSERT = 5_000;

const INSERT_TASKS = `INSERT INTO tasks (job_id, idx, state, first_item, item_count, input, attempts, failures, lapses, ready_at, updated_at)
  SELECT ?, t.idx, t.state, t.first_item, t.item_count, t.input, 0, 0, 0, 0, ?
  FROM unnest(?::integer[], ?::text[], ?::bigint[], ?::integer[], ?::text[]) AS t(idx, state, first_item, item_count, input)`;

/**
 * The PostgreSQL store's one write path: a list of changes in one transaction, which first checks
 * (and holds, `FOR KEY SHARE`) the lease this coordinator was given. A standby taking the lease
 * over locks the row `FOR UPDATE`, so it waits for that transaction and moves the token on: no
 * write of the old active lands after it. Renewing (a plain `UPDATE` of a column no key is made
 * of) does not wait for writes in flight: a million-item job written for seconds must not cost
 * its coordinator the lease.
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
          `WITH free AS (SELECT id FROM coordinator_lease WHERE id = 1 AND (holder IS NULL OR expires_at < ${NOW_MS}) FOR UPDATE)
           UPDATE coordinator_lease SET holder = ?, token = token + 1, expires_at = ${NOW_MS} + ?
           FROM free WHERE coordinator_lease.id = free.id RETURNING token`,
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
    // The hot path: transitions of distinct tasks and nothing else, in one statement.
    const only = new TaskUpdates();
    if (changes.every((change) => change.type === 'updateTask' && only.add(change.jobId, change.index, change.patch))) {
      const token = this.token;
      if (token === undefined || !(await only.runFenced(this.pool, this.numbered, token))) {
        this.token = undefined;
        throw new LostLeaseError();
      }
      return changes.map(() => []);
    }
    return this.fenced(async (query) => {
      const answers: number[][] = [];
      // Task updates in a row, each of another task, go in one statement per set of columns:
      // a round trip to the server per group commit, not per transition.
      let updates = new TaskUpdates();
      for (const change of changes) {
        if (change.type === 'updateTask' && updates.add(change.jobId, change.index, change.patch)) {
          answers.push([]);
          continue;
        }
        await updates.run(query);
        updates = new TaskUpdates();
        if (change.type === 'updateTask') updates.add(change.jobId, change.index, change.patch);
        answers.push(change.type === 'updateTask' ? [] : await this.applyOne(query, change));
      }
      await updates.run(query);
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
      // Both in one round trip (two statements without parameters in one simple query).
      const results = (await client.query('BEGIN; SELECT token FROM coordinator_lease WHERE id = 1 FOR KEY SHARE')) as unknown as pg.QueryResult[];
      const held = results[1]!.rows[0] as { token: number };
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
      case 'updateTask':
        throw new Error('task updates are written by TaskUpdates');
      case 'moveTasks':
        await query(moveTasksText(change.from.length, change.fresh), [change.to, Date.now(), change.jobId, ...change.from]);
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

/** Each task column's type, for the arrays `unnest` reads. */
const COLUMN_TYPES: Record<string, string> = {
  state: 'text',
  output: 'text',
  attempts: 'integer',
  failures: 'integer',
  lapses: 'integer',
  blame: 'text',
  lease_id: 'text',
  worker_id: 'text',
  error: 'text',
  checkpoint: 'text',
  ready_at: 'bigint',
};

/**
 * Task updates of distinct tasks, grouped by the columns they set; each group is one
 * `UPDATE … FROM unnest(…)`. Updates of one task twice are not grouped (the second must follow
 * the first), nor is anything across another kind of change.
 */
class TaskUpdates {
  private readonly tasks = new Set<string>();
  private readonly groups = new Map<number, { jobIds: string[]; indices: number[]; columns: unknown[][] }>();

  /** Adds an update; false when this task is already in (run these first). */
  add(jobId: string, index: number, patch: TaskPatch): boolean {
    const key = `${index}:${jobId}`;
    if (this.tasks.has(key)) return false;
    this.tasks.add(key);
    const { mask, values } = taskPatchColumns(patch);
    let group = this.groups.get(mask);
    if (!group) this.groups.set(mask, (group = { jobIds: [], indices: [], columns: values.map(() => []) }));
    group.jobIds.push(jobId);
    group.indices.push(index);
    values.forEach((value, column) => group.columns[column]!.push(value));
    return true;
  }

  async run(query: Query): Promise<void> {
    const now = Date.now();
    for (const [mask, group] of this.groups) await query(`UPDATE tasks AS t SET ${updateOf(mask, '')}`, [now, group.jobIds, group.indices, ...group.columns]);
  }

  /**
   * Every update in one statement, which first locks the lease's row if it still holds `token`
   * (a takeover waits for it, or it finds the token moved on and writes nothing): a group commit
   * of transitions alone is one round trip. Answers whether the token held.
   */
  async runFenced(pool: pg.Pool, numbered: Numbered, token: number): Promise<boolean> {
    const now = Date.now();
    const parts = ['WITH fence AS (SELECT token FROM coordinator_lease WHERE id = 1 AND token = ? FOR KEY SHARE)'];
    const values: unknown[] = [token];
    let n = 0;
    for (const [mask, group] of this.groups) {
      parts.push(`u${n++} AS (UPDATE tasks AS t SET ${updateOf(mask, ' AND EXISTS (SELECT 1 FROM fence)')} RETURNING 1)`);
      values.push(now, group.jobIds, group.indices, ...group.columns);
    }
    const text = `${parts.join(',\n')}\nSELECT count(*) AS held FROM fence${Array.from({ length: n }, (_, u) => `, (SELECT count(*) FROM u${u}) AS u${u}`).join('')}`;
    const { rows } = await pool.query<{ held: number }>(numbered.statement(text, values));
    return rows[0]!.held === 1;
  }
}

/** `SET … FROM unnest(…) AS v(…) WHERE …` of a task update group (see `TaskUpdates`); its parameters: now, job ids, indices, each column. */
function updateOf(mask: number, condition: string): string {
  const names = taskPatchColumnNames(mask);
  const sets = [...names.map((name) => `${name} = v.${name}`), 'updated_at = ?'].join(', ');
  const arrays = ['?::text[]', '?::integer[]', ...names.map((name) => `?::${COLUMN_TYPES[name]!}[]`)].join(', ');
  return `${sets} FROM unnest(${arrays}) AS v(job_id, idx, ${names.join(', ')}) WHERE t.job_id = v.job_id AND t.idx = v.idx${condition}`;
}

function emptyColumns(): [unknown[], unknown[], unknown[], unknown[], unknown[]] {
  return [[], [], [], [], []];
}

/** The id a `RETURNING` statement answered. */
function insertedId(rows: unknown[]): number {
  return Number(Object.values(rows[0] as Record<string, number>)[0]);
}
