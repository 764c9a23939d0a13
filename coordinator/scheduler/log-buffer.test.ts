import { describe, expect, it } from 'vitest';
import { JobFeed } from '../events/index.js';
import { openSqliteStore } from '../store/index.js';
import { GroupCommit } from './group-commit.js';
import { LogBuffer } from './log-buffer.js';

describe('LogBuffer', () => {
  it('stores a line with the next commit made after it, not later: a checkpoint that survives a crash has the lines logged before it', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const commits = new GroupCommit(store);
      const logs = new LogBuffer(commits, new JobFeed(), { flushMs: 60_000 });
      await store.write([{ type: 'createJob', job: { id: 'job_1', name: 'j', state: 'RUNNING', priority: 0, spec: { name: 'j' } as never, codeSha: 'a', itemCount: 1, taskCount: 1, error: null, idempotencyKey: null, createdAt: 1, updatedAt: 1 }, tasks: [{ index: 0, state: 'leased', firstItem: 0, itemCount: 1, input: [1] }] }]);

      logs.add({ jobId: 'job_1', taskIndex: 0, workerId: 'w', level: 'info', message: 'before the checkpoint', time: 1 });
      commits.add({ type: 'updateTask', jobId: 'job_1', index: 0, patch: { checkpoint: { step: 1 } } });
      await commits.committed();

      expect((await store.listTasks('job_1'))[0]?.checkpoint).toEqual({ step: 1 });
      expect((await store.listLogs('job_1')).map((line) => line.message)).toEqual(['before the checkpoint']);
      await logs.close();
    } finally {
      await store.close();
    }
  });
});
