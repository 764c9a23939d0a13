import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../test-helpers.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';
import { describeStoreContract, newJob, newTask } from './test-support.js';

const newTempDir = useTempDirs();

describeStoreContract('SQLite', async () => {
  const path = join(await newTempDir(), 'nested', 'tabgrid.db');
  return () => openSqliteStore(path, { busyTimeoutMs: 100 });
}, { shared: false });

describe('SQLite store', () => {
  const opened: Store[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  it('works in memory too', async () => {
    const memory = await openSqliteStore(':memory:');
    opened.push(memory);
    await memory.write([{ type: 'createJob', job: newJob('job_m'), tasks: [newTask('job_m', 0, ['x'])] }]);
    expect((await memory.listTasks('job_m'))[0]?.input).toEqual(['x']);
    expect(await memory.getMeta('schema_version')).toBe('6');
  });

  it('holds its file alone: another connection can neither read nor write it until the store is closed', async () => {
    const path = join(await newTempDir(), 'owned.db');
    const store = await openSqliteStore(path);
    await store.write([{ type: 'createJob', job: newJob('job_o'), tasks: [newTask('job_o', 0, ['x'])] }]);
    const other = new Database(path, { timeout: 0 });
    try {
      expect(() => other.prepare('SELECT count(*) FROM jobs').get()).toThrow(/locked|busy/i);
      await store.close();
      expect(other.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 1 });
    } finally {
      other.close();
    }
  });

  it('fills in the start and end times of the jobs a version-5 database holds, from their events', async () => {
    const path = join(await newTempDir(), 'old.db');
    const store = await openSqliteStore(path);
    await store.write([
      { type: 'createJob', job: newJob('job_done', { state: 'COMPLETED' }), tasks: [] },
      { type: 'createJob', job: newJob('job_waiting'), tasks: [] },
      ...(
        [
          ['job_done', 100, 'PENDING', 'RUNNING'],
          ['job_done', 200, 'RUNNING', 'PAUSED'],
          ['job_done', 300, 'PAUSED', 'RUNNING'],
          ['job_done', 400, 'RUNNING', 'COMPLETED'],
        ] as const
      ).map(([jobId, time, from, to]) => ({ type: 'appendEvent' as const, event: { jobId, time, from, to, reason: 'test' } })),
    ]);
    await store.close();
    // Back to how migration 5 left the file: no time columns.
    const raw = new Database(path);
    raw.exec("ALTER TABLE jobs DROP COLUMN started_at; ALTER TABLE jobs DROP COLUMN ended_at; UPDATE meta SET value = '5' WHERE key = 'schema_version'");
    raw.close();

    const migrated = await openSqliteStore(path);
    opened.push(migrated);
    expect(await migrated.getMeta('schema_version')).toBe('6');
    expect(await migrated.getJobSummary('job_done')).toMatchObject({ startedAt: 100, endedAt: 400 });
    const waiting = await migrated.getJobSummary('job_waiting');
    expect(waiting?.startedAt).toBeUndefined();
    expect(waiting?.endedAt).toBeUndefined();
  });
});
