import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeSpec } from '../test-helpers.js';
import type { JobEventRecord, JobPatch, JobSummaryQuery, LogFilter, LogRecord, NewJob, NewJobEvent, NewLog, Store, TaskPatch, TaskRecord } from './store.js';

async function createJob(store: Store, job: NewJob, tasks: TaskRecord[]): Promise<{ seq: number }> {
  const [[seq]] = (await store.write([{ type: 'createJob', job, tasks }])) as [[number]];
  return { seq };
}

const updateTask = (store: Store, jobId: string, index: number, patch: TaskPatch) => store.write([{ type: 'updateTask', jobId, index, patch }]);
const updateJob = (store: Store, id: string, patch: JobPatch) => store.write([{ type: 'updateJob', id, patch }]);

async function appendEvent(store: Store, event: NewJobEvent): Promise<JobEventRecord> {
  const [[id]] = (await store.write([{ type: 'appendEvent', event }])) as [[number]];
  return { ...event, id };
}

async function appendLogs(store: Store, entries: NewLog[]): Promise<LogRecord[]> {
  const [ids] = (await store.write([{ type: 'appendLogs', entries }])) as [number[]];
  return entries.map((entry, index) => ({ ...entry, id: ids[index]! }));
}

export function newJob(id: string, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id,
    name: `name of ${id}`,
    state: 'PENDING',
    priority: 0,
    spec: makeSpec({ name: `name of ${id}`, code: { blob: 'a'.repeat(64) } }),
    codeSha: 'a'.repeat(64),
    itemCount: 3,
    taskCount: 2,
    error: null,
    idempotencyKey: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

export function newTask(jobId: string, index: number, input: unknown[], overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    jobId,
    index,
    state: 'ready',
    firstItem: index * 2,
    itemCount: input.length,
    input,
    output: null,
    attempts: 0,
    failures: 0,
    lapses: 0,
    failedOn: [],
    lapsedOn: [],
    excluded: [],
    leaseId: null,
    workerId: null,
    error: null,
    checkpoint: undefined,
    readyAt: 0,
    updatedAt: 1_000,
    ...overrides,
  };
}

/**
 * What every store promises, run against each of them (`sqlite.test.ts`, `postgres.test.ts`).
 * @param freshStore makes a new, empty store and answers how to open it (again): each open is a
 *   new connection to the same data, holding the coordinators' lease
 */
export function describeStoreContract(
  name: string,
  freshStore: () => Promise<() => Promise<Store>>,
  /** Several processes may open the same data at once (PostgreSQL); otherwise a second opener is refused while one holds it (SQLite). */
  { shared }: { shared: boolean },
): void {
  describe(`${name}: the store contract`, () => {
    let store: Store;
    let openStore: () => Promise<Store>;
    const opened: Store[] = [];

    async function open(): Promise<Store> {
      const next = await openStore();
      opened.push(next);
      return next;
    }

    beforeEach(async () => {
      openStore = await freshStore();
      store = await open();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((each) => each.close()));
    });

    it('creates a job with its tasks and reads both back, JSON values intact', async () => {
      const input0 = [{ a: 1, nested: { list: [1, 'two', null] } }, 'text'];
      const input1 = [null];
      const created = await createJob(store, newJob('job_1'), [newTask('job_1', 0, input0), newTask('job_1', 1, input1)]);
      expect(created.seq).toBeGreaterThan(0);

      const job = await store.getJob('job_1');
      expect(job).toEqual({ ...newJob('job_1'), seq: created.seq });
      expect(job?.spec.input).toEqual({ partitioner: 'items', items: [1, 2, 3], chunkSize: 1 });
      expect(job?.spec.code).toEqual({ blob: 'a'.repeat(64) });

      const tasks = await store.listTasks('job_1');
      expect(tasks).toEqual([newTask('job_1', 0, input0), newTask('job_1', 1, input1)]);
      expect(await store.getJob('job_missing')).toBeUndefined();
      expect(await store.listTasks('job_missing')).toEqual([]);
    });

    it('gives later jobs a higher seq and lists jobs oldest first', async () => {
      const first = await createJob(store, newJob('job_b'), []);
      const second = await createJob(store, newJob('job_a'), []);
      expect(second.seq).toBeGreaterThan(first.seq);
      expect((await store.listJobs()).map((job) => job.id)).toEqual(['job_b', 'job_a']);
    });

    it('lists job summaries oldest first, newest first, or by priority, a page after a place at a time', async () => {
      for (const [id, priority] of [['job_a', 0], ['job_b', 5], ['job_c', 0], ['job_d', 5], ['job_e', -3]] as const) {
        await createJob(store, newJob(id, { priority }), []);
      }
      const ids = async (query: JobSummaryQuery): Promise<string[]> => (await store.listJobSummaries(query)).map((job) => job.id);
      const seqOf = async (id: string): Promise<number> => (await store.getJobSummary(id))!.seq;
      expect(await ids({})).toEqual(['job_a', 'job_b', 'job_c', 'job_d', 'job_e']);
      expect(await ids({ order: 'newest', limit: 2 })).toEqual(['job_e', 'job_d']);
      expect(await ids({ order: 'newest', afterSeq: await seqOf('job_d') })).toEqual(['job_c', 'job_b', 'job_a']);
      expect(await ids({ order: 'priority' })).toEqual(['job_b', 'job_d', 'job_a', 'job_c', 'job_e']);
      expect(await ids({ order: 'priority', afterSeq: await seqOf('job_d'), afterPriority: 5 })).toEqual(['job_a', 'job_c', 'job_e']);
      expect(await ids({ order: 'priority', afterSeq: await seqOf('job_a'), afterPriority: 0, limit: 1 })).toEqual(['job_c']);
    });

    it('stores a job of more tasks than one insert statement takes', async () => {
      const tasks = Array.from({ length: 1234 }, (_, index) => newTask('job_big', index, [index]));
      await createJob(store, newJob('job_big', { taskCount: tasks.length }), tasks);
      const stored = await store.listTasks('job_big');
      expect(stored).toHaveLength(1234);
      expect(stored.map((task) => (task.input as number[])[0])).toEqual(tasks.map((_, index) => index));
    });

    it('writes a job and its tasks in one transaction: a failing task insert leaves no job', async () => {
      const duplicate = [newTask('job_bad', 0, [1]), newTask('job_bad', 0, [2])];
      await expect(createJob(store, newJob('job_bad'), duplicate)).rejects.toThrow(/UNIQUE|constraint/i);
      expect(await store.getJob('job_bad')).toBeUndefined();
      expect(await store.listTasks('job_bad')).toEqual([]);
    });

    it('updates only the fields a task patch names', async () => {
      await createJob(store, newJob('job_1'), [newTask('job_1', 0, [1, 2]), newTask('job_1', 1, [3])]);
      await updateTask(store, 'job_1', 0, { state: 'leased', attempts: 1, leaseId: 'lease_x', workerId: 'w_1' });
      await updateTask(store, 'job_1', 0, { state: 'done', output: [{ x: 2 }, [4]], leaseId: null });

      const [task0, task1] = await store.listTasks('job_1');
      expect(task0).toMatchObject({
        state: 'done',
        output: [{ x: 2 }, [4]],
        attempts: 1,
        failures: 0,
        leaseId: null,
        workerId: 'w_1',
        input: [1, 2],
      });
      expect(task1).toEqual(newTask('job_1', 1, [3]));

      await updateTask(store, 'job_1', 1, { failures: 2, lapses: 3, error: 'boom' });
      expect((await store.listTasks('job_1'))[1]).toMatchObject({ state: 'ready', failures: 2, lapses: 3, error: 'boom' });
    });

    it('updates a job state and error, and clears the error with null', async () => {
      await createJob(store, newJob('job_1'), []);
      await updateJob(store, 'job_1', { state: 'FAILED', error: { message: 'it broke', taskIndex: 4 } });
      expect(await store.getJob('job_1')).toMatchObject({ state: 'FAILED', error: { message: 'it broke', taskIndex: 4 } });
      await updateJob(store, 'job_1', { error: null });
      expect(await store.getJob('job_1')).toMatchObject({ state: 'FAILED', error: null });
    });

    it("keeps a job's start and end times, priority and spec summary; clears times and final counts with null", async () => {
      await createJob(store, newJob('job_1'), []);
      await createJob(store, newJob('job_rejected', { state: 'REJECTED', spec: { name: 'r' } as NewJob['spec'], createdAt: 2_000 }), []);
      expect(await store.getJobSummary('job_rejected')).toMatchObject({ endedAt: 2_000, finalCounts: { done: 0, failed: 0 } });
      expect((await store.getJobSummary('job_rejected'))?.spec).toBeUndefined();
      const fresh = await store.getJobSummary('job_1');
      expect(fresh?.spec).toEqual({
        partitioner: 'items',
        chunkSize: 1,
        retry: { maxAttempts: 3, maxLapses: 10, distinctWorkers: 2, backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 } },
      });
      expect(fresh?.startedAt).toBeUndefined();
      expect(fresh?.endedAt).toBeUndefined();

      await updateJob(store, 'job_1', { state: 'FAILED', startedAt: 5_000, endedAt: 6_000, finalCounts: { done: 1, failed: 1 }, priority: 7 });
      expect(await store.getJobSummary('job_1')).toMatchObject({ startedAt: 5_000, endedAt: 6_000, finalCounts: { done: 1, failed: 1 }, priority: 7 });
      expect(await store.getJob('job_1')).toMatchObject({ startedAt: 5_000, endedAt: 6_000, priority: 7 });
      expect((await store.listJobSummaries()).find((job) => job.id === 'job_1')).toMatchObject({ startedAt: 5_000, endedAt: 6_000 });

      await updateJob(store, 'job_1', { state: 'PENDING', endedAt: null, finalCounts: null });
      const retried = await store.getJobSummary('job_1');
      expect(retried).toMatchObject({ state: 'PENDING', startedAt: 5_000 });
      expect(retried?.endedAt).toBeUndefined();
      expect(retried?.finalCounts).toBeUndefined();

      const spec = (await store.getJob('job_1'))!.spec;
      await updateJob(store, 'job_1', { spec: { ...spec, runMode: 'debug' } });
      expect((await store.getJob('job_1'))?.spec).toEqual({ ...spec, runMode: 'debug' });
      expect(await store.getJobSummary('job_1')).toMatchObject({ runMode: 'debug', spec: { partitioner: 'items' } });
    });

    it('moves tasks with a fresh retry budget: failures, lapses, blame, error and backoff start over', async () => {
      const tried = { failures: 3, lapses: 2, attempts: 5, error: 'boom', readyAt: 9_000, failedOn: ['w_1'], lapsedOn: ['w_2'], excluded: ['w_1'], checkpoint: { step: 2 } };
      await createJob(store, newJob('job_1', { taskCount: 3 }), [
        newTask('job_1', 0, [0], { state: 'failed' }),
        newTask('job_1', 1, [1], { state: 'cancelled' }),
        newTask('job_1', 2, [2], { state: 'done' }),
      ]);
      for (const index of [0, 1, 2]) {
        const { failedOn, lapsedOn, excluded, ...counts } = tried;
        await updateTask(store, 'job_1', index, { ...counts, blame: { failedOn, lapsedOn, excluded } });
      }
      await store.write([{ type: 'moveTasks', jobId: 'job_1', from: ['failed', 'cancelled'], to: 'ready', fresh: true }]);
      const [failed, cancelled, done] = await store.listTasks('job_1');
      for (const task of [failed, cancelled]) {
        expect(task).toMatchObject({ state: 'ready', failures: 0, lapses: 0, attempts: 5, error: null, readyAt: 0, failedOn: [], lapsedOn: [], excluded: [], checkpoint: { step: 2 } });
      }
      expect(done).toMatchObject({ state: 'done', failures: 3, error: 'boom', excluded: ['w_1'] });
    });

    it('moves the tasks in the given states only, dropping their lease ids', async () => {
      await createJob(store, newJob('job_1', { taskCount: 4 }), [
        newTask('job_1', 0, [0], { state: 'done' }),
        newTask('job_1', 1, [1], { state: 'leased' }),
        newTask('job_1', 2, [2]),
        newTask('job_1', 3, [3], { state: 'failed' }),
      ]);
      await updateTask(store, 'job_1', 1, { leaseId: 'lease_1', workerId: 'w_1' });
      await createJob(store, newJob('job_2', { taskCount: 1 }), [newTask('job_2', 0, [0])]);

      await store.write([{ type: 'moveTasks', jobId: 'job_1', from: ['ready', 'leased', 'blocked'], to: 'cancelled' }]);

      const tasks = await store.listTasks('job_1');
      expect(tasks.map((task) => task.state)).toEqual(['done', 'cancelled', 'cancelled', 'failed']);
      expect(tasks[1]).toMatchObject({ leaseId: null, workerId: 'w_1' });
      expect((await store.listTasks('job_2'))[0]?.state).toBe('ready');
    });

    it('counts tasks by job and state, and jobs by state', async () => {
      await createJob(store, newJob('job_1'), [
        newTask('job_1', 0, [0], { state: 'done' }),
        newTask('job_1', 1, [1], { state: 'done' }),
        newTask('job_1', 2, [2]),
      ]);
      await createJob(store, newJob('job_2', { state: 'COMPLETED' }), [newTask('job_2', 0, [0], { state: 'done' })]);
      await createJob(store, newJob('job_3'), [newTask('job_3', 0, [0], { state: 'leased' })]);

      const all = await store.countTasks();
      expect(Object.fromEntries(all)).toEqual({
        job_1: { done: 2, ready: 1 },
        job_2: { done: 1 },
        job_3: { leased: 1 },
      });
      expect(Object.fromEntries(await store.countTasks(['job_1', 'job_missing']))).toEqual({ job_1: { done: 2, ready: 1 } });
      expect((await store.countTasks([])).size).toBe(0);
      expect(await store.countJobs()).toEqual({ PENDING: 2, COMPLETED: 1 });
    });

    it('lists only jobs that may still change as active', async () => {
      for (const [id, state] of [
        ['job_done', 'COMPLETED'],
        ['job_run', 'RUNNING'],
        ['job_fail', 'FAILED'],
        ['job_pend', 'PENDING'],
        ['job_cancel', 'CANCELLED'],
        ['job_rej', 'REJECTED'],
        ['job_paused', 'PAUSED'],
      ] as const) {
        await createJob(store, newJob(id, { state }), []);
      }
      expect((await store.listActiveJobs()).map((job) => job.id)).toEqual(['job_run', 'job_pend', 'job_paused']);
    });

    it('lists the outputs of done tasks in task order, whatever order they finished in', async () => {
      await createJob(store, newJob('job_1', { taskCount: 4 }), [
        newTask('job_1', 0, [0, 1]),
        newTask('job_1', 1, [2, 3]),
        newTask('job_1', 2, [4]),
        newTask('job_1', 3, [5]),
      ]);
      await updateTask(store, 'job_1', 3, { state: 'done', output: ['d'] });
      await updateTask(store, 'job_1', 0, { state: 'done', output: ['a', 'b'] });
      await updateTask(store, 'job_1', 2, { state: 'leased' });
      await updateTask(store, 'job_1', 1, { state: 'done', output: [{ c: true }, null] });

      expect(await store.listOutputs('job_1')).toEqual([
        { index: 0, firstItem: 0, output: ['a', 'b'] },
        { index: 1, firstItem: 2, output: [{ c: true }, null] },
        { index: 3, firstItem: 6, output: ['d'] },
      ]);
    });

    it('appends logs and lists them per job, after a given id', async () => {
      const entry = (jobId: string, message: string) =>
        ({ jobId, taskIndex: 0, workerId: 'w_1', level: 'info', message, time: 5_000 }) as const;
      expect(await appendLogs(store, [])).toEqual([]);
      const appended = await appendLogs(store, [entry('job_1', 'one'), entry('job_2', 'other job'), entry('job_1', 'two')]);
      await appendLogs(store, [{ ...entry('job_1', 'three'), taskIndex: null, workerId: null, level: 'warn' }]);

      const logs = await store.listLogs('job_1');
      // The records handed back carry the ids they were stored under (followers dedupe by id).
      expect(appended.map((log) => log.message)).toEqual(['one', 'other job', 'two']);
      expect([appended[0], appended[2]]).toEqual(logs.slice(0, 2));
      expect(logs.map((log) => log.message)).toEqual(['one', 'two', 'three']);
      expect(logs[2]).toMatchObject({ jobId: 'job_1', taskIndex: null, workerId: null, level: 'warn', time: 5_000 });
      expect(logs[0]!.id).toBeLessThan(logs[1]!.id);

      const after = await store.listLogs('job_1', logs[0]!.id);
      expect(after.map((log) => log.message)).toEqual(['two', 'three']);
      expect(await store.listLogs('job_1', logs[2]!.id)).toEqual([]);
    });

    it('filters a job\'s logs by task, levels and text (any case), and keeps the newest lines of them', async () => {
      const line = (taskIndex: number | null, level: LogRecord['level'], message: string) => ({ jobId: 'job_1', taskIndex, workerId: null, level, message, time: 5_000 });
      await appendLogs(store, [line(0, 'info', 'Loss is NaN'), line(1, 'warn', 'slow step'), line(0, 'error', 'nan again'), line(null, 'debug', 'gang re-formed')]);
      await appendLogs(store, [{ ...line(0, 'error', 'nan elsewhere'), jobId: 'job_2' }]);
      const messages = async (filter: LogFilter, afterId = 0) => (await store.listLogs('job_1', afterId, filter)).map((log) => log.message);

      expect(await messages({ taskIndex: 0 })).toEqual(['Loss is NaN', 'nan again']);
      expect(await messages({ levels: ['warn', 'error'] })).toEqual(['slow step', 'nan again']);
      expect(await messages({ text: 'NAN' })).toEqual(['Loss is NaN', 'nan again']);
      expect(await messages({ text: '100%_' })).toEqual([]);
      expect(await messages({ newest: 2 })).toEqual(['nan again', 'gang re-formed']);
      expect(await messages({ taskIndex: 0, levels: ['error'], text: 'nan', newest: 5 })).toEqual(['nan again']);
      const [first] = await store.listLogs('job_1');
      expect(await messages({ text: 'nan' }, first!.id)).toEqual(['nan again']);
    });

    it('lists task shapes a page at a time', async () => {
      await createJob(store, newJob('job_1', { taskCount: 3 }), [newTask('job_1', 0, [1]), newTask('job_1', 1, [2], { state: 'done' }), newTask('job_1', 2, [3])]);
      expect((await store.listTaskShapes('job_1')).map((shape) => shape.state)).toEqual(['ready', 'done', 'ready']);
      expect(await store.listTaskShapes('job_1', { limit: 2 })).toEqual([
        { index: 0, state: 'ready', firstItem: 0, itemCount: 1 },
        { index: 1, state: 'done', firstItem: 2, itemCount: 1 },
      ]);
      expect((await store.listTaskShapes('job_1', { afterIndex: 1, limit: 2 })).map((shape) => shape.index)).toEqual([2]);
    });

    it('stores blobs by name; putting the same name again changes nothing', async () => {
      const sha = 'b'.repeat(64);
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      expect(await store.hasBlob(sha)).toBe(false);
      expect(await store.getBlob(sha)).toBeUndefined();

      await store.putBlob(sha, bytes);
      await store.putBlob(sha, new Uint8Array([9, 9, 9]));

      expect(await store.hasBlob(sha)).toBe(true);
      const got = await store.getBlob(sha);
      expect(got).toBeInstanceOf(Uint8Array);
      expect([...got!]).toEqual([0, 1, 2, 250, 255]);
    });

    it('appends job events and lists them per job in order, after a given id', async () => {
      const first = await appendEvent(store, { jobId: 'job_1', time: 10, from: null, to: 'SUBMITTED', reason: 'submitted' });
      await appendEvent(store, { jobId: 'job_2', time: 11, from: null, to: 'REJECTED', reason: 'queue full' });
      const third = await appendEvent(store, { jobId: 'job_1', time: 12, from: 'SUBMITTED', to: 'PENDING', reason: 'accepted' });
      expect(first).toEqual({ id: first.id, jobId: 'job_1', time: 10, from: null, to: 'SUBMITTED', reason: 'submitted' });
      expect(third.id).toBeGreaterThan(first.id);
      expect(await store.listJobEvents('job_1')).toEqual([first, third]);
      expect(await store.listJobEvents('job_1', first.id)).toEqual([third]);
      expect(await store.listJobEvents('job_none')).toEqual([]);
    });

    it('finds a job by its idempotency key, and refuses a second job with the same key', async () => {
      await createJob(store, newJob('job_keyed', { idempotencyKey: 'key-1' }), []);
      await createJob(store, newJob('job_plain'), []);
      await createJob(store, newJob('job_plain2'), []);
      expect((await store.findJobByIdempotencyKey('key-1'))?.id).toBe('job_keyed');
      expect((await store.getJob('job_keyed'))?.idempotencyKey).toBe('key-1');
      expect(await store.findJobByIdempotencyKey('key-2')).toBeUndefined();
      await expect(createJob(store, newJob('job_again', { idempotencyKey: 'key-1' }), [])).rejects.toThrow(/UNIQUE|constraint/i);
    });

    it('keeps a task checkpoint and readyAt, and clears the checkpoint only when a patch names it', async () => {
      await createJob(store, newJob('job_1'), [newTask('job_1', 0, [1]), newTask('job_1', 1, [2])]);
      await updateTask(store, 'job_1', 0, { checkpoint: { step: 1 } });
      expect((await store.listTasks('job_1')).map((task) => task.checkpoint)).toEqual([{ step: 1 }, undefined]);

      await updateTask(store, 'job_1', 1, { checkpoint: { step: 7, data: [1, 'x'] }, readyAt: 123_456 });
      await updateTask(store, 'job_1', 1, { state: 'ready', failures: 1 });
      expect((await store.listTasks('job_1'))[1]).toMatchObject({ checkpoint: { step: 7, data: [1, 'x'] }, readyAt: 123_456, failures: 1 });

      await updateTask(store, 'job_1', 0, { checkpoint: undefined });
      expect((await store.listTasks('job_1'))[0]!.checkpoint).toBeUndefined();
    });

    it('keeps meta values and records the schema version', async () => {
      expect(await store.getMeta('schema_version')).toMatch(/^[1-9]\d*$/);
      expect(await store.getMeta('nothing')).toBeUndefined();
      await store.setMeta('k', 'v1');
      await store.setMeta('k', 'v2');
      expect(await store.getMeta('k')).toBe('v2');
    });

    it('keeps everything across close and reopen, without running the migrations again', async () => {
      await createJob(store, newJob('job_1'), [newTask('job_1', 0, [1, 2], { state: 'done' })]);
      await updateTask(store, 'job_1', 0, { output: [2, 4] });
      await appendLogs(store, [{ jobId: 'job_1', taskIndex: 0, workerId: 'w', level: 'info', message: 'kept', time: 1 }]);
      await store.putBlob('c'.repeat(64), new Uint8Array([7]));
      await store.setMeta('k', 'v');
      const version = await store.getMeta('schema_version');
      await store.close();
      opened.splice(opened.indexOf(store), 1);

      const reopened = await open();
      expect(await reopened.getMeta('schema_version')).toBe(version);
      expect((await reopened.getJob('job_1'))?.name).toBe('name of job_1');
      expect(await reopened.listOutputs('job_1')).toEqual([{ index: 0, firstItem: 0, output: [2, 4] }]);
      expect((await reopened.listLogs('job_1')).map((log) => log.message)).toEqual(['kept']);
      expect([...((await reopened.getBlob('c'.repeat(64))) ?? [])]).toEqual([7]);
      expect(await reopened.getMeta('k')).toBe('v');

      // A third store on the same data while the second is still open.
      if (shared) {
        const third = await open();
        expect((await third.listJobs()).map((job) => job.id)).toEqual(['job_1']);
      } else await expect(open()).rejects.toThrow(/in use by another process/);
    });

    it('applies a write in one transaction: a change that fails leaves none of the others', async () => {
      await createJob(store, newJob('job_1', { idempotencyKey: 'key-1' }), [newTask('job_1', 0, [1])]);
      const write = store.write([
        { type: 'updateTask', jobId: 'job_1', index: 0, patch: { state: 'done', output: [2] } },
        { type: 'updateJob', id: 'job_1', patch: { state: 'COMPLETED' } },
        { type: 'appendEvent', event: { jobId: 'job_1', time: 5, from: 'PENDING', to: 'COMPLETED', reason: 'done' } },
        { type: 'createJob', job: newJob('job_2', { idempotencyKey: 'key-1' }), tasks: [] },
      ]);
      await expect(write).rejects.toThrow(/UNIQUE|constraint/i);
      expect((await store.listTasks('job_1'))[0]).toMatchObject({ state: 'ready', output: null });
      expect((await store.getJob('job_1'))?.state).toBe('PENDING');
      expect(await store.listJobEvents('job_1')).toEqual([]);
      expect(await store.getJob('job_2')).toBeUndefined();
    });

    it('answers the ids each change added, in order', async () => {
      const answers = await store.write([
        { type: 'createJob', job: newJob('job_1'), tasks: [] },
        { type: 'updateJob', id: 'job_1', patch: { state: 'RUNNING' } },
        { type: 'appendEvent', event: { jobId: 'job_1', time: 5, from: 'PENDING', to: 'RUNNING', reason: 'leased' } },
        { type: 'appendLogs', entries: [1, 2].map((n) => ({ jobId: 'job_1', taskIndex: 0, workerId: null, level: 'info' as const, message: `m${n}`, time: n })) },
      ]);
      const [job] = await store.listJobs();
      const [event] = await store.listJobEvents('job_1');
      const logs = await store.listLogs('job_1');
      expect(answers).toEqual([[job!.seq], [], [event!.id], logs.map((log) => log.id)]);
    });
  });
}
