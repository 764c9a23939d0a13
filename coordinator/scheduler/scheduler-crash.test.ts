import { describe, expect, it } from 'vitest';
import { isOpenTask, isTerminal, type TaskLease } from '../../shared/index.js';
import type { Store } from '../store/index.js';
import { ManualClock, NO_BACKOFF, asker, doubled, recording, submitJob, useSchedulers } from '../test-helpers.js';
import type { Scheduler } from './scheduler.js';

// A crash (the process killed) between any two transactions: every transition is one store
// transaction, so the store holds some prefix of the commits. Each prefix must be a state the
// next start serves as it is: opened without a single write (nothing to repair), consistent, and
// able to finish every job.

const LEASE_MS = 1_000;
const { openStore, setUp } = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: 300 });

/** Leases and reports until every job has ended; paused jobs are resumed, lapsed leases swept. */
async function finishAll(scheduler: Scheduler, clock: ManualClock): Promise<void> {
  for (let step = 0; step < 200; step++) {
    const live = [...scheduler.liveJobs()];
    if (live.length === 0) return;
    for (const job of live) if (job.record.state === 'PAUSED') await scheduler.resume(job.id);
    const worker = `w_after_${step % 3}`;
    const granted = await scheduler.leaseNext(asker(worker));
    if (granted) await scheduler.complete(worker, granted.leaseId, doubled(granted));
    else {
      clock.advance(LEASE_MS + 1);
      await scheduler.sweep();
    }
  }
  throw new Error(`jobs still live after 200 steps: ${[...scheduler.liveJobs()].map((job) => job.id).join(', ')}`);
}

/** What must hold of any state the store holds between two commits, read back through a scheduler opened on it. */
async function expectConsistent(scheduler: Scheduler, store: Store, prefix: number): Promise<void> {
  for (const job of await store.listJobs()) {
    const where = `after ${prefix} commits, job ${job.name}`;
    const events = await store.listJobEvents(job.id);
    expect(events.at(-1)?.to, `${where}: its last event is its state`).toBe(job.state);
    const tasks = await store.listTasks(job.id);
    const live = scheduler.liveJob(job.id);
    if (isTerminal(job.state)) {
      expect(live, where).toBeUndefined();
      expect(tasks.filter((task) => isOpenTask(task.state)), `${where}: an ended job has no open task`).toEqual([]);
      continue;
    }
    expect(live?.record.state, where).toBe(job.state);
    expect(tasks.filter((task) => task.state === 'failed' || task.state === 'cancelled'), `${where}: a live job has no ended task`).toEqual([]);
    expect(tasks.every((task) => task.state === 'done'), `${where}: a live job has work left`).toBe(false);
    for (const task of tasks) {
      const waiting = live!.graph.taskPredecessors[task.index]!.filter((p) => tasks[p]!.state !== 'done');
      if (task.state === 'blocked') expect(waiting.length, `${where}: blocked task ${task.index} waits for something`).toBeGreaterThan(0);
      else expect(waiting, `${where}: task ${task.index} is ${task.state} with unfinished predecessors`).toEqual([]);
    }
  }
}

describe('Scheduler: a crash between any two commits', () => {
  it('leaves a state the next start serves as it is: no write at open, consistent, and every job finishes', async () => {
    const clock = new ManualClock();
    const { store, commits } = recording(await openStore());
    const { scheduler } = await setUp({ store, clock });
    const retry = { maxAttempts: 3, distinctWorkers: 1, ...NO_BACKOFF };
    const graph = await submitJob(scheduler, store, { name: 'graph', items: [1, 2, 3, 4, 5], dependencies: [[0, 1], [2, 3], [3, 4]], retry });
    const dependent = await submitJob(scheduler, store, { name: 'dependent', items: [10, 20], dependsOn: [graph.id] });
    const doomed = await submitJob(scheduler, store, { name: 'doomed', items: [7, 8] });
    const paused = await submitJob(scheduler, store, { name: 'paused', items: [5], runMode: 'paused' });
    const failing = await submitJob(scheduler, store, { name: 'failing', items: [9], retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const late = await submitJob(scheduler, store, { name: 'late', items: [1], dependsOn: [failing.id] });

    // Every kind of transition: leases, results, a failure retried, a failure that fails a job
    // (and its dependent), a checkpoint, a lapse, a pause and a resume, a cancel, a failed job retried.
    let retried = false;
    for (let step = 1; [...scheduler.liveJobs()].length > 0; step++) {
      if (step > 200) throw new Error('the scenario did not end');
      if (!retried && !scheduler.liveJob(failing.id)) {
        retried = true;
        expect(await scheduler.retry(failing.id)).toBe(1);
      }
      if (step === 2) await scheduler.cancel(doomed.id);
      if (step === 3) await scheduler.resume(paused.id);
      if (step === 4) await scheduler.pause(graph.id);
      if (step === 6) await scheduler.resume(graph.id);
      const worker = `w_${step % 3}`;
      const granted: TaskLease | undefined = await scheduler.leaseNext(asker(worker));
      if (!granted) {
        clock.advance(LEASE_MS + 1);
        await scheduler.sweep();
        continue;
      }
      if (granted.jobId === failing.id) await scheduler.fail(worker, granted.leaseId, { message: 'cursed' });
      else if (step === 1) await scheduler.fail(worker, granted.leaseId, { message: 'flaky' });
      else if (step === 5) continue; // taken and never reported: it lapses
      else {
        if (step === 7) expect(await scheduler.checkpoint(worker, granted.leaseId, { at: 1 })).toEqual({ status: 'stored' });
        await scheduler.complete(worker, granted.leaseId, doubled(granted));
      }
    }
    const ended: Record<string, string | undefined> = {};
    for (const job of [graph, dependent, doomed, paused, failing, late]) ended[job.name] = (await store.getJob(job.id))?.state;
    expect(ended).toEqual({ graph: 'COMPLETED', dependent: 'COMPLETED', doomed: 'CANCELLED', paused: 'COMPLETED', failing: 'FAILED', late: 'FAILED' });
    expect(retried).toBe(true);
    expect(commits.length).toBeGreaterThan(20);

    for (let prefix = 0; prefix <= commits.length; prefix++) {
      const crashed = await openStore();
      for (const changes of commits.slice(0, prefix)) await crashed.write(changes);
      const watched = recording(crashed);
      const restartClock = new ManualClock();
      restartClock.time = clock.time;
      const { scheduler: after } = await setUp({ store: watched.store, clock: restartClock });
      expect(watched.commits, `after ${prefix} commits, opening wrote nothing`).toEqual([]);
      await expectConsistent(after, crashed, prefix);
      await finishAll(after, restartClock);
      for (const job of await crashed.listJobs()) {
        expect(isTerminal(job.state), `after ${prefix} commits, job ${job.name} ends`).toBe(true);
        if (job.state !== 'COMPLETED') continue;
        const outputs = (await crashed.listOutputs(job.id)).flatMap((task) => task.output);
        expect(outputs, `after ${prefix} commits, job ${job.name}'s outputs`).toEqual(job.spec.input.partitioner === 'items' ? job.spec.input.items.map((item) => (item as number) * 2) : []);
      }
    }
  });
});
