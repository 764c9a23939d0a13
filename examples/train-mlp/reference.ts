/**
 * The yardstick of the train-mlp demo: the same task module run in this one process, with no gang,
 * on the CPU reference tensor core. A data-parallel run of the same config must draw the same loss
 * curve (see {@link compareLosses}).
 */
import { readFile } from 'node:fs/promises';
import { TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import trainMlp, { type TrainConfig, type TrainContext } from './train.js';

/** The demo's default run: small enough for the CPU reference in well under a second. */
export const DEMO_CONFIG: TrainConfig = {
  seed: 7,
  samples: 1200,
  features: 4,
  hidden: 32,
  classes: 3,
  steps: 100,
  learningRate: 0.5,
  checkpointEvery: 10,
};

/**
 * How far apart two curves of the same run may be, relative to the loss (`|a - b| <= tol · max(1, |b|)`).
 * Both runs do the same float32 ops; only the order of additions differs (the gang sums shard
 * gradients, then averages them; one process sums the whole batch), which moves a result by an
 * ulp or two. Measured on the CPU reference (and the WASM backend): about 1e-7 over the demo's
 * 100 steps, drifting to 1e-5 over 1,500 steps as the differences compound. 1e-4
 * keeps that margin and still catches a real fault: averaging the wrong shard, summing instead
 * of averaging, or a step lost on resume moves the loss by 1e-3 or more.
 */
export const LOSS_TOLERANCE = 1e-4;

/** The source text of `train.js`, as it is sent to the tabs. */
export function readTrainSource(): Promise<string> {
  return readFile(new URL('./train.js', import.meta.url), 'utf8');
}

/** Options of {@link trainingContext}. */
export interface TrainingContextOptions {
  readonly tensor: TensorCore;
  readonly rank?: number;
  readonly size?: number;
  readonly comm?: TrainContext['comm'];
  /** What the attempt resumes from, as `ctx.restored`. */
  readonly restored?: unknown;
  /** Called with each checkpoint, copied through JSON as the coordinator would store it. */
  readonly onCheckpoint?: (state: unknown) => void;
}

/**
 * A hand-made `ctx` for `train.js` outside a worker: logs and progress go nowhere, checkpoints to
 * `onCheckpoint`.
 * @example const ctx = trainingContext({ tensor: new TensorCore(createCpuBackend()), onCheckpoint: (s) => (last = s) });
 */
export function trainingContext(options: TrainingContextOptions): TrainContext {
  const { tensor, rank, size, comm, restored, onCheckpoint } = options;
  return {
    tensor,
    restored,
    ...(rank === undefined ? {} : { rank }),
    ...(size === undefined ? {} : { size }),
    ...(comm === undefined ? {} : { comm }),
    log: () => {},
    progress: () => {},
    checkpoint: (state) => {
      onCheckpoint?.(JSON.parse(JSON.stringify(state)));
      return Promise.resolve(true);
    },
  };
}

/**
 * The loss curve of `config` trained in this process alone, on the whole dataset, on the CPU
 * reference tensor core.
 * @example const losses = await trainInOneProcess(DEMO_CONFIG);
 */
export async function trainInOneProcess(config: TrainConfig): Promise<number[]> {
  const tensor = new TensorCore(createCpuBackend());
  try {
    return (await trainMlp(config, trainingContext({ tensor }))).losses;
  } finally {
    tensor.destroy();
  }
}

/** How two loss curves compare. */
export interface LossComparison {
  /** The largest `|actual - expected|` over the steps. */
  readonly maxDifference: number;
  /** The first step beyond the tolerance, or -1; a curve of another length fails at the first missing step. */
  readonly firstBadStep: number;
  readonly agree: boolean;
}

/**
 * Compares a loss curve with the expected one step by step: `|a - b| <= tolerance · max(1, |b|)`.
 * @example compareLosses(gang.losses, await trainInOneProcess(config)).agree
 */
export function compareLosses(actual: readonly number[], expected: readonly number[], tolerance = LOSS_TOLERANCE): LossComparison {
  let maxDifference = 0;
  let firstBadStep = actual.length === expected.length ? -1 : Math.min(actual.length, expected.length);
  for (let step = 0; step < Math.min(actual.length, expected.length); step++) {
    const a = actual[step] ?? Number.NaN;
    const b = expected[step] ?? Number.NaN;
    const difference = Math.abs(a - b);
    maxDifference = Math.max(maxDifference, difference);
    if (!(difference <= tolerance * Math.max(1, Math.abs(b))) && (firstBadStep === -1 || step < firstBadStep)) firstBadStep = step;
  }
  return { maxDifference, firstBadStep, agree: firstBadStep === -1 };
}
