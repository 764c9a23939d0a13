import type { JobSpecInput } from '../../shared/index.js';
import { TabgridError } from '../errors.js';
import { validateSpec } from '../validate-spec.js';
import { pipelineModuleSource, stepSource, type StepSource } from './module-source.js';
import type { PipelineContext, StepKind } from './runtime.js';

/**
 * A pipeline step: `(value, ctx) => result`, where `value` is what the previous step left on this
 * rank (the task's item before the first). Only its source is sent, so it must be
 * self-contained, like a `map()` function: no variables from the scope it was written in, no imports.
 * @example const normalise: PipelineStep<number[], number[]> = (xs) => xs.map((x) => x / xs.length);
 */
export type PipelineStep<I = unknown, O = unknown> = (value: I, ctx: PipelineContext) => O | Promise<O>;

/** The gang of a pipeline, as in a job spec; its `resultRank` is always the master. */
export type PipelineGang = Omit<NonNullable<JobSpecInput['gang']>, 'resultRank'>;

/** Options of {@link pipeline}. */
export interface PipelineOptions {
  /** The job's name, as `tabgrid list` and the admin panel show it. */
  name: string;
  /**
   * How many ranks run each task (one master, the others workers); give this or `gang`.
   * @example { size: 4 }
   */
  size?: number;
  /**
   * The gang as a job spec has it, for a collective timeout or an elastic gang (`{ min, max }`,
   * whose master must be below `min`); give this or `size`.
   * @example { gang: { size: 4, timeoutMs: 120_000 } }
   */
  gang?: PipelineGang;
  /**
   * The master's rank; its final value is the task's output.
   * @default size - 1 (min - 1 for an elastic gang)
   */
  master?: number;
  /**
   * The items: each is one task, run by the whole gang, and the first step's `value`.
   * @default [null]: one task
   */
  items?: readonly unknown[];
  /** How often a task is tried (a failed rank fails the gang's attempt). @default { maxAttempts: 3 } */
  retry?: NonNullable<JobSpecInput['retry']>;
  /** Higher runs first, from -1000 to 1000. @default 0 */
  priority?: number;
}

/**
 * A master/worker job under construction: add steps with `master`, `worker` and `public`, in the
 * order they run, then `build()` the job spec.
 */
export class Pipeline {
  readonly #options: PipelineOptions;
  readonly #gang: PipelineGang;
  /** The ranks every attempt has: `size`, or `min` for an elastic gang. */
  readonly #ranks: number;
  readonly #master: number;
  readonly #steps: StepSource[] = [];

  constructor(options: PipelineOptions) {
    this.#options = options;
    const name = `pipeline ${JSON.stringify(options.name)}`;
    if ((options.size === undefined) === (options.gang === undefined)) throw new TabgridError(`${name}: give size or gang (not both)`);
    this.#gang = options.gang ?? { size: options.size! };
    const ranks = this.#gang.size ?? this.#gang.min;
    if (ranks === undefined || !Number.isInteger(ranks) || ranks < 1) {
      throw new TabgridError(`${name}: the gang needs a whole number of ranks (size, or min and max), got ${String(ranks)}`);
    }
    this.#ranks = ranks;
    this.#master = options.master ?? ranks - 1;
    if (!Number.isInteger(this.#master) || this.#master < 0 || this.#master >= ranks) {
      throw new TabgridError(`${name}: master must be a rank every attempt has, 0 to ${ranks - 1}; got ${this.#master}`);
    }
  }

  /**
   * Adds a step that runs on the master only; what it returns is broadcast, and every rank's
   * value becomes it (`undefined` travels as `null`).
   * @throws {TabgridError} when the gang has fewer than 2 ranks, or `fn` has no standalone source
   * @example job.master((item: { lr: number }) => ({ lr: item.lr, weights: Array.from({ length: 8 }, () => 0) }))
   */
  master<I, O>(fn: PipelineStep<I, O>): this {
    return this.#add('master', fn);
  }

  /**
   * Adds a step that runs on every rank but the master; each worker keeps what it returned, and
   * the master's value becomes the array of the workers' returns in rank order.
   * @throws {TabgridError} when the gang has fewer than 2 ranks, or `fn` has no standalone source
   * @example job.worker((params: { lr: number }, ctx) => params.lr * ctx.rank)
   */
  worker<I, O>(fn: PipelineStep<I, O>): this {
    return this.#add('worker', fn);
  }

  /**
   * Adds a step that runs on every rank, each keeping what it returned (use `ctx.comm` to talk).
   * @throws {TabgridError} when `fn` has no standalone source
   * @example job.public(async (x: number, ctx) => (await ctx.comm.allReduce(Float32Array.of(x)))[0])
   */
  public<I, O>(fn: PipelineStep<I, O>): this {
    return this.#add('public', fn);
  }

  /**
   * The job spec: a gang job whose module runs the steps, with the master as `resultRank` (so
   * each task's output is the master's final value; a Float32Array there is better returned as
   * `Array.from(...)`, since outputs travel as JSON). Submit it with `grid.submit(spec)`, or run it
   * here with `grid.submit({ ...spec, runMode: 'local' })` or `runLocally(spec)`.
   * @throws {TabgridError} when there are no steps; {SpecError} for options a job spec refuses
   * @example const job = await grid.submit(pipeline({ name: 'p', size: 2 }).master(() => 1).build());
   */
  build(): JobSpecInput {
    const { name, items, retry, priority } = this.#options;
    if (this.#steps.length === 0) {
      throw new TabgridError(`pipeline ${JSON.stringify(name)} has no steps: add some with .master(fn), .worker(fn) or .public(fn)`);
    }
    const spec: JobSpecInput = {
      name,
      code: pipelineModuleSource(this.#steps, this.#master),
      input: { items: [...(items ?? [null])] },
      gang: { ...this.#gang, resultRank: this.#master },
    };
    if (this.#gang.min !== undefined) spec.runMode = 'elastic';
    if (retry !== undefined) spec.retry = retry;
    if (priority !== undefined) spec.priority = priority;
    validateSpec(spec);
    return spec;
  }

  #add(kind: StepKind, fn: PipelineStep<never, unknown>): this {
    if (kind !== 'public' && this.#ranks < 2) {
      throw new TabgridError(
        `pipeline ${JSON.stringify(this.#options.name)}: a ${kind} step needs a gang of at least 2 ranks (a master and a worker); this one has ${this.#ranks}`,
      );
    }
    this.#steps.push({ kind, source: stepSource(kind, fn) });
    return this;
  }
}

/**
 * Starts a master/worker job, in the manner of a `torch.distributed` job framework's master,
 * worker and public decorators: each task runs on a gang of `size` ranks, one of them the master,
 * through the steps added in order. The task's output is the master's final value.
 * @throws {TabgridError} for a gang without a whole number of ranks, or a master outside it
 * @example
 * const spec = pipeline({ name: 'score', size: 4, items: [{ scale: 2 }] }) // ranks 0-2 work, rank 3 is the master
 *   .master((item: { scale: number }) => ({ scale: item.scale, offset: 1 })) // broadcast to every rank
 *   .worker((params: { scale: number; offset: number }, ctx) => params.scale * ctx.rank + params.offset)
 *   .master((scores: number[]) => ({ scores, total: scores.reduce((a, b) => a + b, 0) })) // gathered in rank order
 *   .build();
 * const job = await grid.submit(spec);
 * await job.wait();
 * for await (const { output } of job.results()) console.log(output); // { scores: [1, 3, 5], total: 9 }
 */
export function pipeline(options: PipelineOptions): Pipeline {
  return new Pipeline(options);
}
