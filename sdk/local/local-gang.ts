import type { TaskFunction } from '../../shared/index.js';
import type { Gang } from '../../shared/index.js';
import { createComm, createInProcessNetwork, isCommClosedError, type Comm } from '../../worker/index.js';
import { cpuTensorProvider, runTask, TaskTensors, type TaskFailure, type TaskOutcome, type TaskPorts, type TaskRun } from '../../worker/index.js';

/** One rank's failure, and whether it only followed from the gang being torn down. */
interface RankFailure {
  rank: number;
  failure: TaskFailure;
  /** The rank's own comm was closed under it: a consequence of another rank's failure. */
  closedUnder: boolean;
}

/**
 * Runs one attempt of a gang task in this process: `size` ranks at once (`gang.size`, or
 * `gang.max` for an elastic gang), each its own `runTask` with its own lease, `ctx.tensor` and
 * `ctx.comm` over an in-process network. The outcome is `gang.resultRank`'s when every rank
 * succeeds. The first failure closes every comm, as the coordinator revokes a gang when a member
 * fails, so ranks waiting on a collective reject at once instead of at the gang's timeout; the
 * attempt then fails with the first failure that is a rank's own (not a lost peer, a timeout or
 * a closed comm), else the first.
 * @example
 * const outcome = await runGangAttempt(fn, { lease, ports, signal, extras }, spec.gang);
 */
export async function runGangAttempt(fn: TaskFunction, run: TaskRun, gang: Gang): Promise<TaskOutcome> {
  const size = gang.size ?? gang.max ?? 1;
  const network = createInProcessNetwork(size);
  const ranks = network.transports.map((transport, rank) => {
    const tensors = new TaskTensors(cpuTensorProvider());
    const comm = createComm(transport, { timeoutMs: gang.timeoutMs, tensors: tensors.core });
    return { rank, tensors, comm };
  });
  const failures: RankFailure[] = [];
  const closeAll = (): void => ranks.forEach(({ comm }) => comm.close());
  try {
    const outcomes = await Promise.all(
      ranks.map(async ({ rank, tensors, comm }) => {
        let thrown: unknown;
        const watched: TaskFunction = async (input, ctx) => {
          try {
            return await fn(input, ctx);
          } catch (error) {
            thrown = error;
            throw error;
          }
        };
        const outcome = await runTask(tensors.guard(watched), rankRun(run, rank, size, comm, tensors));
        if (!outcome.ok) {
          failures.push({ rank, failure: outcome.error, closedUnder: isCommClosedError(thrown) });
          closeAll();
        }
        return outcome;
      }),
    );
    const failure = firstRealFailure(failures);
    if (failure) {
      run.ports.log('warn', `rank ${failure.rank} of ${size} failed: ${failure.failure.message}`);
      return { ok: false, error: failure.failure };
    }
    return outcomes[gang.resultRank] ?? { ok: false, error: { message: `the gang of ${size} has no rank ${gang.resultRank}` } };
  } finally {
    closeAll();
    for (const { tensors } of ranks) tensors.end();
  }
}

/** A rank's own run: its lease, its log lines marked with its rank, `ctx.rank`, `ctx.size`, `ctx.comm`, `ctx.tensor`. */
function rankRun(run: TaskRun, rank: number, size: number, comm: Comm, tensors: TaskTensors): TaskRun {
  const lease = { ...run.lease, leaseId: `${run.lease.leaseId}/${rank}` };
  const ports: TaskPorts = { ...run.ports, log: (level, message) => run.ports.log(level, `[rank ${rank}] ${message}`) };
  const extras = tensors.extras({ ...run.extras, rank, size, comm });
  return { ...run, lease, ports, extras };
}

function firstRealFailure(failures: readonly RankFailure[]): RankFailure | undefined {
  return failures.find(({ failure, closedUnder }) => failure.cause !== 'gang' && !closedUnder) ?? failures[0];
}
