import { afterEach, expect, it } from 'vitest';
import type { StoreChange } from '../store/index.js';
import { joinFakeWorker, openParts, recording, submitJob, type Parts } from '../test-helpers.js';

// How the gateway's answers ride the scheduler's group commit: a worker reports a result and asks
// again in one breath, and one commit carries both.

let parts: Parts | undefined;

afterEach(async () => {
  await parts?.close();
  parts = undefined;
});

/** The task updates of one commit, as "index:state". */
const taskStates = (commit: StoreChange[]): string[] =>
  commit.flatMap((change) => (change.type === 'updateTask' && change.patch.state !== undefined ? [`${change.index}:${change.patch.state}`] : []));

it('commits a result and the ask sent right behind it together, and answers the ack before the lease', async () => {
  let commits: StoreChange[][] = [];
  parts = await openParts(':memory:', {}, (store) => {
    const recorder = recording(store);
    commits = recorder.commits;
    return recorder.store;
  });
  await submitJob(parts.scheduler, parts.store, { items: [1, 2] });
  const worker = await joinFakeWorker(parts.gateway, 'w-1');
  await worker.send({ type: 'ask' });
  const first = await worker.socket.received.waitFor('lease');
  const before = commits.length;

  // Two frames read in one turn, as from one socket read.
  await Promise.all([worker.send({ type: 'result', leaseId: first.leaseId, outputs: [2] }), worker.send({ type: 'ask' })]);
  const second = await worker.socket.received.waitFor('lease', 2);

  expect(commits.slice(before).map(taskStates)).toEqual([['0:done', '1:leased']]);
  expect(second.taskIndex).toBe(1);
  expect(worker.socket.received.all.slice(-2).map((message) => message.type)).toEqual(['ack', 'lease']);
});
