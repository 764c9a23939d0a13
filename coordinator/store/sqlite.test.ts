import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../test-helpers.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';
import { describeStoreContract, newJob, newTask } from './test-support.js';

const newTempDir = useTempDirs();

describeStoreContract('SQLite', async () => {
  const path = join(await newTempDir(), 'nested', 'tabgrid.db');
  return () => openSqliteStore(path);
});

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
    expect(await memory.getMeta('schema_version')).toBe('5');
  });
});
