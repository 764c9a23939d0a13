import { describe, expect, it } from 'vitest';
import { TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import { type Comm, createComm, createInProcessGang, createInProcessNetwork, isPeerLostError } from '../../worker/index.js';
import { LOSS_TOLERANCE, compareLosses, trainInOneProcess, trainingContext } from './reference.js';
import trainMlp, { type TrainCheckpoint, type TrainConfig, type TrainResult } from './train.js';

// Divisible by 2, 3 and 4; about 20 ms a run on the CPU reference.
const CONFIG: TrainConfig = { seed: 11, samples: 240, features: 4, hidden: 32, classes: 3, steps: 60, learningRate: 0.5, checkpointEvery: 10 };
const TIMEOUT_MS = 10_000;

interface GangRun {
  readonly results: PromiseSettledResult<TrainResult>[];
  /** Rank 0's checkpoints, in order. */
  readonly checkpoints: TrainCheckpoint[];
  /** Storages each rank's tensor core still holds after its run. */
  readonly leftTensors: number[];
}

/** Every rank of one gang attempt, each with its own CPU tensor core, as tabs would run it. */
async function runGang(comms: readonly Comm[], options: { restored?: TrainCheckpoint; onCheckpoint?: (state: TrainCheckpoint) => void } = {}): Promise<GangRun> {
  const checkpoints: TrainCheckpoint[] = [];
  const backends = comms.map(() => createCpuBackend());
  const results = await Promise.allSettled(
    comms.map((comm, rank) =>
      trainMlp(
        CONFIG,
        trainingContext({
          tensor: new TensorCore(backends[rank]!),
          rank,
          size: comms.length,
          comm,
          restored: options.restored,
          onCheckpoint: (state) => {
            checkpoints.push(state as TrainCheckpoint);
            options.onCheckpoint?.(state as TrainCheckpoint);
          },
        }),
      ),
    ),
  );
  for (const comm of comms) comm.close();
  return { results, checkpoints, leftTensors: backends.map((backend) => backend.liveStorageCount) };
}

function fulfilled(run: GangRun): TrainResult[] {
  return run.results.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

describe('train-mlp: data-parallel training on a gang', () => {
  it('a gang of 3 draws the loss curve of one process, and learns', async () => {
    const expected = await trainInOneProcess(CONFIG);
    const run = await runGang(createInProcessGang(3, { timeoutMs: TIMEOUT_MS }));
    const results = fulfilled(run);

    const comparison = compareLosses(results[0]!.losses, expected);
    expect(comparison, `max difference ${comparison.maxDifference}`).toMatchObject({ agree: true, firstBadStep: -1 });
    expect(results[0]!.losses).toHaveLength(CONFIG.steps);
    expect(results[0]!.losses.at(-1)).toBeLessThan(0.5 * results[0]!.losses[0]!);
    expect(results[0]!.accuracy).toBeGreaterThan(0.8);
    // allReduce hands every rank the same bits, so the ranks agree exactly.
    for (const result of results) expect(result).toEqual(results[0]);
    expect(run.leftTensors).toEqual([0, 0, 0]);
    expect(run.checkpoints.map((checkpoint) => checkpoint.step)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it.each([2, 4])('a gang of %i draws the same curve', async (size) => {
    const expected = await trainInOneProcess(CONFIG);
    const [result] = fulfilled(await runGang(createInProcessGang(size, { timeoutMs: TIMEOUT_MS })));
    expect(compareLosses(result!.losses, expected).agree).toBe(true);
  });

  it('a new gang resumes from rank 0’s last checkpoint and ends with the same curve', async () => {
    const uninterrupted = fulfilled(await runGang(createInProcessGang(3, { timeoutMs: TIMEOUT_MS })))[0]!;

    // Attempt 1: rank 0's tab goes away right after its checkpoint at step 30; the others lose it.
    const network = createInProcessNetwork(3);
    const crashAt = (state: TrainCheckpoint): void => {
      if (state.step !== 30) return;
      network.disconnect(0);
      throw new Error('tab closed');
    };
    const first = await runGang(network.transports.map((transport) => createComm(transport, { timeoutMs: TIMEOUT_MS })), { onCheckpoint: crashAt });
    expect(first.results.every((result) => result.status === 'rejected')).toBe(true);
    for (const result of first.results.slice(1)) expect(isPeerLostError((result as PromiseRejectedResult).reason)).toBe(true);
    const last = first.checkpoints.at(-1);
    expect(last.step).toBe(30);

    // Attempt 2: a fresh gang, every rank given the stored checkpoint.
    const second = await runGang(createInProcessGang(3, { timeoutMs: TIMEOUT_MS }), { restored: last });
    const resumed = fulfilled(second)[0]!;
    expect(resumed.resumedFrom).toBe(30);
    expect(second.checkpoints.map((checkpoint) => checkpoint.step)).toEqual([40, 50, 60]);
    // The parameters survive the trip through JSON bit for bit, so the curve is the very same.
    expect(resumed.losses).toEqual(uninterrupted.losses);
    expect(resumed.accuracy).toBe(uninterrupted.accuracy);
    expect(compareLosses(resumed.losses, await trainInOneProcess(CONFIG)).agree).toBe(true);
  });

  it('refuses shards of unequal size and checkpoints of another configuration', async () => {
    const tensor = new TensorCore(createCpuBackend());
    await expect(trainMlp({ ...CONFIG, samples: 241 }, trainingContext({ tensor, rank: 0, size: 2 }))).rejects.toThrow(/multiple of the gang size/);
    const restored = { step: 1, params: { w1: [0], b1: [], w2: [], b2: [] }, losses: [1] };
    await expect(trainMlp(CONFIG, trainingContext({ tensor, restored }))).rejects.toThrow(/not a checkpoint of this configuration/);
  });

  it('compareLosses tells curves apart beyond the tolerance', () => {
    expect(compareLosses([1.1, 0.5], [1.1, 0.5 + LOSS_TOLERANCE / 2]).agree).toBe(true);
    expect(compareLosses([1.1, 0.5], [1.1, 0.5 + 2 * LOSS_TOLERANCE])).toMatchObject({ agree: false, firstBadStep: 1 });
    expect(compareLosses([1.1], [1.1, 0.5])).toMatchObject({ agree: false, firstBadStep: 1 });
  });
});
