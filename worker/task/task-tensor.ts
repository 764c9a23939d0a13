import { TensorCore, createCpuBackend, isDeviceLostError, isOutOfMemoryError } from '../../shared/tensor/index.js';
import type { TaskFunction, TaskTensorCore } from '../../shared/index.js';

/** A tensor core lent to one task by a {@link TensorProvider}. */
export interface LentTensorCore {
  /** Destroying it frees what the task left behind, not the backend under it. */
  readonly core: TensorCore;
  /** Present where the backend has a device to lose (see {@link TaskTensorCore}). */
  readonly forceDeviceLoss?: () => void;
  /** The backend failed for good (lost, out of memory): the provider never lends it again. */
  retire(): void;
}

/**
 * Where a worker's tasks get `ctx.tensor`: one per worker, reused across tasks. A browser tab
 * lends views of the backend it chose at join; under Node each task gets the CPU reference.
 */
export interface TensorProvider {
  /**
   * Resolves once the worker's backend is chosen and open (a new one after a loss), and, for a
   * task that may use threads, once they are up; never rejects.
   */
  ready(options?: LendOptions): Promise<void>;
  /** A core for one task, on the worker's backend; before {@link ready} resolves, on a stand-in (the CPU reference). */
  lend(options?: LendOptions): LentTensorCore;
}

/** What a task asks of its lent core. */
export interface LendOptions {
  /**
   * The task may use every thread the backend has (a gang member, or a job with `tensor.threads`);
   * otherwise it gets one, since the tab may run other tasks beside it.
   * @default false
   */
  readonly threads?: boolean;
}

/**
 * Whether task code may read `ctx.tensor`, judged from its source: a module that never writes
 * `tensor` does not wait for the tab's choice of backend at join (about a second or two), and
 * pays nothing. One that reaches it some other way still works, on a stand-in backend until
 * the choice is made.
 * @example mayUseTensor('export default async (x, ctx) => ctx.tensor.backendName') // true
 */
export function mayUseTensor(source: string): boolean {
  return source.includes('tensor');
}

/**
 * Under Node (worker threads, the local runner): the CPU reference backend, one per task (making
 * one costs nothing, and destroying it frees all the task made).
 * @example const host = new TaskHost({ post, importModule, tensor: cpuTensorProvider() });
 */
export function cpuTensorProvider(): TensorProvider {
  return {
    ready: () => Promise.resolve(),
    lend: () => ({ core: new TensorCore(createCpuBackend()), retire: () => {} }),
  };
}

/**
 * The tensor core of one task: lent on the first read of `ctx.tensor` (a task that never reads
 * it costs nothing), destroyed when the task ends so its tensors are freed whatever it forgot to
 * dispose. A `DeviceLostError` or `OutOfMemoryError` out of task code fails the attempt with the
 * error's name in the message and retires the backend, so the next task gets a new one.
 * @example
 * const tensors = new TaskTensors(provider);
 * await provider.ready();
 * try {
 *   outcome = await runTask(tensors.guard(fn), { lease, ports, extras: tensors.extras(otherExtras) });
 * } finally {
 *   tensors.end();
 * }
 */
export class TaskTensors {
  #lent: LentTensorCore | undefined;
  #core: TaskTensorCore | undefined;
  #retired = false;

  constructor(private readonly provider: TensorProvider, private readonly lendOptions: LendOptions = {}) {}

  /** `ctx.tensor` of this task, lent on first use. */
  get core(): TaskTensorCore {
    if (this.#core) return this.#core;
    const lent = this.provider.lend(this.lendOptions);
    this.#lent = lent;
    const hook = lent.forceDeviceLoss;
    this.#core = hook ? Object.assign(lent.core, { forceDeviceLoss: hook }) : lent.core;
    return this.#core;
  }

  /** `extras` with a lazy `tensor` getter added (runtime members stay as the context makes them). */
  extras<T extends object>(others: T): T & { readonly tensor: TaskTensorCore } {
    return Object.defineProperty({ ...others }, 'tensor', { enumerable: true, get: () => this.core }) as T & { readonly tensor: TaskTensorCore };
  }

  /** `fn`, failing with the name of a lost device or exhausted memory in the message. */
  guard(fn: TaskFunction): TaskFunction {
    return async (input, ctx) => {
      try {
        return await fn(input, ctx);
      } catch (error) {
        throw this.failed(error);
      }
    };
  }

  /**
   * What a task's throw becomes: a device loss or out-of-memory retires this task's backend and
   * is renamed into the message (`DeviceLostError: webgpu: device lost`); others pass unchanged.
   */
  failed(error: unknown): unknown {
    if (!isDeviceLostError(error) && !isOutOfMemoryError(error)) return error;
    this.#retire();
    const renamed = new Error(error.message.startsWith(error.name) ? error.message : `${error.name}: ${error.message}`, { cause: error });
    if (error.stack !== undefined) renamed.stack = error.stack;
    return renamed;
  }

  /** The task ended: its tensors are freed (a lost backend may refuse; it is gone anyway). */
  end(): void {
    const core = this.#lent?.core;
    this.#lent = undefined;
    this.#core = undefined;
    try {
      core?.destroy();
    } catch {
      // A retired backend: what the view held went with it.
    }
  }

  #retire(): void {
    if (this.#retired || !this.#lent) return;
    this.#retired = true;
    this.#lent.retire();
  }
}
