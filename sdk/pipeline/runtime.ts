import type { TaskContext } from '../../shared/index.js';
/**
 * The part of a pipeline that runs in the gang: {@link runPipeline} walks the steps on every
 * rank. Its source travels inside the task module (`runPipeline.toString()`), so it must stay
 * self-contained: no imports but types, no helpers from this file, nothing from the closure.
 */
import type { Comm, CommValue } from '../../shared/index.js';


/**
 * Where a pipeline step runs:
 * - `master`: on the master rank only; what it returns is broadcast, and becomes every rank's value;
 * - `worker`: on every rank but the master; what they return is gathered to the master, whose
 *   value becomes the array of the workers' returns in rank order (workers keep their own);
 * - `public`: on every rank, each keeping its own return.
 */
export type StepKind = 'master' | 'worker' | 'public';

/**
 * What a pipeline step gets as `ctx`: a gang member's task context (`log`, `checkpoint`,
 * `restored`, `tensor`, ...) with its `rank`, the gang's `size`, `comm` and the `master` rank.
 * @example
 * job.worker((params: { lr: number }, ctx: PipelineContext) => ctx.rank * params.lr);
 */
export interface PipelineContext extends TaskContext {
  /** This member's rank, 0..size-1. */
  readonly rank: number;
  /** How many members the gang has. */
  readonly size: number;
  /** Collectives with the other members, for what the steps' own broadcasts and gathers do not cover. */
  readonly comm: Comm;
  /** The master's rank. */
  readonly master: number;
}

/** A step as the runtime walks it. */
export interface RuntimeStep {
  readonly kind: StepKind;
  readonly run: (value: unknown, ctx: PipelineContext) => unknown;
}

/**
 * Runs `steps` on this rank of the gang, starting from the task's `item`; resolves this rank's
 * last value (the master's is the task's output). A value that crosses ranks (a master's return,
 * a worker's) is a `Float32Array`, a tensor or JSON; `undefined` travels as `null`.
 * @throws {Error} when `ctx` is not a gang member's (no `ctx.comm`), or the gang has no rank `master`
 * @example
 * // every rank of a gang of 3, the master being rank 2
 * const steps = [{ kind: 'master', run: () => 10 }, { kind: 'worker', run: (n, ctx) => n + ctx.rank }];
 * await runPipeline(steps, 2, null, ctx); // [10, 11] on rank 2, 10 on rank 0, 11 on rank 1
 */
export async function runPipeline(steps: readonly RuntimeStep[], master: number, item: unknown, ctx: TaskContext): Promise<unknown> {
  const { comm, rank, size } = ctx;
  if (comm === undefined || rank === undefined || size === undefined) {
    throw new Error('a pipeline runs as a gang task, but ctx has no comm: submit the spec that pipeline(...).build() made');
  }
  if (!(master < size)) throw new Error(`the pipeline's master is rank ${master}, but this gang has only ${size} ranks`);
  const stepContext = Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(ctx), master: { value: master, enumerable: true } }) as PipelineContext;
  let value = item;
  for (const step of steps) {
    if (step.kind === 'public') {
      value = await step.run(value, stepContext);
    } else if (step.kind === 'master') {
      const mine = rank === master ? ((await step.run(value, stepContext)) ?? null) : undefined;
      value = await comm.broadcast(mine as CommValue | undefined, master);
    } else if (rank === master) {
      const gathered = await comm.gather(null, master);
      value = (gathered ?? []).filter((_, from) => from !== master);
    } else {
      value = await step.run(value, stepContext);
      await comm.gather((value ?? null) as CommValue, master);
    }
  }
  return value;
}
