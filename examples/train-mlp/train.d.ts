// Types of train.js, the task module (plain JavaScript, since it travels to tabs as source).
import type { TaskContext } from '../../shared/index.js';

/** What the task gets as its one item. */
export interface TrainConfig {
  /** Seeds the dataset and the initial weights: every rank, and the one-process run, get the same. */
  readonly seed: number;
  /** Rows of the dataset; a multiple of the gang size (ranks take equal shards). */
  readonly samples: number;
  readonly features: number;
  readonly hidden: number;
  readonly classes: number;
  readonly steps: number;
  readonly learningRate: number;
  /** Rank 0 checkpoints after every this many steps; 0 never. */
  readonly checkpointEvery: number;
}

/** The parameters as plain arrays, row-major: `w1 [features, hidden]`, `b1`, `w2 [hidden, classes]`, `b2`. */
export interface TrainParameters {
  readonly w1: number[];
  readonly b1: number[];
  readonly w2: number[];
  readonly b2: number[];
}

/** What rank 0 passes to `ctx.checkpoint`: the parameters after `step` steps and the losses of those steps. */
export interface TrainCheckpoint {
  readonly step: number;
  readonly params: TrainParameters;
  readonly losses: number[];
}

/** The task's output (rank 0's, in a gang). */
export interface TrainResult {
  /** The global mean loss of each step, before that step's update. */
  readonly losses: number[];
  readonly steps: number;
  /** How many ranks trained it (`ctx.size`; 1 outside a gang). */
  readonly ranks: number;
  /** Of the final parameters, over the whole dataset. */
  readonly accuracy: number;
  /** The step this attempt started from: 0, or that of the checkpoint it resumed. */
  readonly resumedFrom: number;
}

/** The part of `ctx` the task uses; outside a gang `rank`, `size` and `comm` are absent. */
export type TrainContext = Pick<TaskContext, 'log' | 'progress' | 'checkpoint' | 'restored' | 'tensor' | 'rank' | 'size' | 'comm'>;

/** Trains the MLP on this rank's shard, averaging gradients over the gang every step. */
export default function trainMlp(config: TrainConfig, ctx: TrainContext): Promise<TrainResult>;
