import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresStore } from './postgres.js';
import { newDatabaseOn } from './postgres-server.js';
import { LostLeaseError, type Store, type StoreChange } from './store.js';
import { describeStoreContract, newJob, newTask } from './test-support.js';

/** A new database on the run's PostgreSQL server (`postgres-global-setup.ts`), and its URL. */
const newDatabase = (): Promise<string> => newDatabaseOn(inject('postgresUrl'));

describeStoreContract('PostgreSQL', async () => {
  const url = await newDatabase();
  return async () => {
    const store = await openPostgresStore(url);
    // The first store opened holds the lease (and writes); one opened beside it only reads.
    await store.lease.acquire(`test-${Math.random()}`, 60_000);
    return store;
  };
}, { shared: true });

describe('PostgreSQL store: the coordinators lease', () => {
  const opened: Store[] = [];
  const open = async (url: string): Promise<Store> => {
    const store = await openPostgresStore(url);
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('lets one coordinator hold the lease at a time, and the other take it once it runs out', async () => {
    const url = await newDatabase();
    const [first, second] = [await open(url), await open(url)];
    const token = await first.lease.acquire('first', 300);
    expect(token).toBeGreaterThan(0);
    expect(await second.lease.acquire('second', 300)).toBeUndefined();
    expect(await first.lease.renew(300)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const taken = await second.lease.acquire('second', 60_000);
    expect(taken).toBe(token! + 1);
    expect(await first.lease.renew(300)).toBe(false);
  });

  it('refuses every write of a coordinator that lost the lease, and of one that never held it', async () => {
    const url = await newDatabase();
    const [first, second] = [await open(url), await open(url)];
    const create = (store: Store, id: string) => store.write([{ type: 'createJob', job: newJob(id), tasks: [newTask(id, 0, [1])] }]);
    await expect(create(second, 'job_0')).rejects.toBeInstanceOf(LostLeaseError);
    await first.lease.acquire('first', 200);
    await create(first, 'job_1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await second.lease.acquire('second', 60_000);
    // `first` has not renewed: it does not know yet, and its next write finds out, whether it
    // is transitions alone (one statement) or anything else (a transaction).
    await expect(first.write([{ type: 'updateTask', jobId: 'job_1', index: 0, patch: { state: 'done', output: [2] } }])).rejects.toBeInstanceOf(LostLeaseError);
    expect((await second.listTasks('job_1'))[0]).toMatchObject({ state: 'ready', output: null });
    await expect(create(first, 'job_2')).rejects.toBeInstanceOf(LostLeaseError);
    await expect(first.setMeta('k', 'v')).rejects.toBeInstanceOf(LostLeaseError);
    expect((await second.listJobs()).map((job) => job.id)).toEqual(['job_1']);
    expect(await second.getMeta('k')).toBeUndefined();
  });

  /** A job of `count` tasks: writing it takes PostgreSQL seconds (its rows go 5,000 to a statement). */
  const bigJob = (id: string, count = 200_000): StoreChange => ({ type: 'createJob', job: newJob(id), tasks: Array.from({ length: count }, (_, index) => newTask(id, index, [index])) });

  /** Resolves once the database runs a statement that starts with `prefix` (a write is in flight, its fence taken). */
  async function running(url: string, prefix: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const count = async (): Promise<number> =>
        ((await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1", [`${prefix}%`])).rows[0] as { n: number }).n;
      await expect.poll(count, { timeout: 30_000, interval: 5 }).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  }

  it('renews its lease while a long write of its own is in flight (a million-item job takes seconds to write)', async () => {
    const url = await newDatabase();
    const store = await open(url);
    await store.lease.acquire('first', 60_000);
    let written = false;
    const writing = store.write([bigJob('job_big')]).then(() => (written = true));
    await running(url, 'INSERT INTO tasks');
    expect(await store.lease.renew(60_000)).toBe(true);
    expect(written).toBe(false);
    await writing;
  });

  it('takes the lease over only after the old holder\'s write in flight has landed whole, and refuses its next write', async () => {
    const url = await newDatabase();
    const [first, second] = [await open(url), await open(url)];
    await first.lease.acquire('first', 1);
    const writing = first.write([bigJob('job_big', 100_000)]);
    await running(url, 'INSERT INTO tasks');
    expect(await second.lease.acquire('second', 60_000)).toBeDefined();
    // Read at once: the write committed before the takeover did (the two answers may reach this
    // process in either order, so the write's own promise says nothing of that).
    expect((await second.listTasks('job_big', { afterIndex: 99_998 })).map((task) => task.index)).toEqual([99_999]);
    await writing;
    await expect(first.write([{ type: 'updateTask', jobId: 'job_big', index: 0, patch: { state: 'done', output: [0] } }])).rejects.toBeInstanceOf(LostLeaseError);
  });

  it('hands the lease over at once when its holder releases it', async () => {
    const url = await newDatabase();
    const [first, second] = [await open(url), await open(url)];
    await first.lease.acquire('first', 60_000);
    await first.lease.release();
    expect(await second.lease.acquire('second', 60_000)).toBeDefined();
  });

  it('keeps the first value claimed under a key', async () => {
    const url = await newDatabase();
    const [first, second] = [await open(url), await open(url)];
    expect(await first.claimMeta('admin-token', 'a')).toBe('a');
    expect(await second.claimMeta('admin-token', 'b')).toBe('a');
  });
});
