import { callKernel, type KernelExports } from '../module.js';
import { type KernelCall, type MatmulCall, type SplitPlan, planElementwise, planMatmul, planReduce, planSoftmax } from '../split.js';
import type { KernelPool } from './pool.js';

const POLL_MS = 10;

/** Matmul workspaces start on a cache line, as the heap's blocks do. */
const WORKSPACE_ALIGN = 64;

/**
 * The calling thread's kernel exports, with matmul, the contiguous elementwise ops, softmax and
 * reductions split across the pool's ready threads (`split.ts`) whenever `threads` is over 1 and
 * the op is big enough. The rest (strided binary ops, transpose) run here. The matmul workspace
 * it asks the host for holds one workspace per thread.
 * @example
 * const kernels = new ThreadedExports(exports, pool);
 * kernels.threads = 2; // from now on, up to two threads an op
 */
export class ThreadedExports implements KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly #base: KernelExports;
  readonly #pool: KernelPool;
  readonly #workspaceBytes: number;
  #threads = 1;

  constructor(base: KernelExports, pool: KernelPool) {
    this.#base = base;
    this.#pool = pool;
    this.memory = base.memory;
    this.#workspaceBytes = Math.ceil(base.matmulWorkspaceBytes() / WORKSPACE_ALIGN) * WORKSPACE_ALIGN;
  }

  /** Most threads an op may use: the caller and every helper the pool may start. */
  get maxThreads(): number {
    return this.#pool.size + 1;
  }

  /** Threads an op may use from now on (clamped to 1..maxThreads); helpers are started as needed. */
  get threads(): number {
    return this.#threads;
  }

  set threads(count: number) {
    this.#threads = Math.max(1, Math.min(this.maxThreads, Math.floor(count)));
    this.#pool.grow(this.#threads - 1);
  }

  /** Threads an op can use now: the caller plus the ready helpers, at most `threads`. */
  get threadsReady(): number {
    return this.#usable();
  }

  /**
   * Sets `threads` and resolves with `threadsReady` once the helpers it needs have come up (or
   * failed), or after `timeoutMs`. It polls: a thread comes up only while this one's event loop runs.
   */
  async startThreads(count: number, timeoutMs = 10_000): Promise<number> {
    this.threads = count;
    for (let waited = 0; !this.#pool.settled() && waited < timeoutMs; waited += POLL_MS) {
      await new Promise((wake) => setTimeout(wake, POLL_MS));
    }
    return this.threadsReady;
  }

  heapBase(): number {
    return this.#base.heapBase();
  }

  matmulWorkspaceBytes(): number {
    return this.#workspaceBytes * this.maxThreads;
  }

  matmulBatched(...args: Parameters<KernelExports['matmulBatched']>): void {
    const [a, b, c, batch, m, k, n, rsa, csa, rsb, csb, batchStrideA, batchStrideB, workspace] = args;
    const call: MatmulCall = { a, b, c, batch, m, k, n, rsa, csa, rsb, csb, batchStrideA, batchStrideB, workspace };
    this.#run(planMatmul(call, this.#usable(), this.#workspaceBytes));
  }

  binary(op: number, a: number, b: number, out: number, n: number): void {
    this.#run(planElementwise('binary', [op, a, b, out], n, this.#usable()));
  }

  binaryStrided(...args: Parameters<KernelExports['binaryStrided']>): void {
    this.#base.binaryStrided(...args);
  }

  unary(op: number, x: number, out: number, n: number): void {
    this.#run(planElementwise('unary', [op, x, out], n, this.#usable()));
  }

  reduce(op: number, x: number, out: number, outer: number, axis: number, inner: number): void {
    this.#run(planReduce(op, x, out, outer, axis, inner, this.#usable()));
  }

  reduceColumns(...args: Parameters<KernelExports['reduceColumns']>): void {
    this.#base.reduceColumns(...args);
  }

  softmax(x: number, out: number, rows: number, cols: number): void {
    this.#run(planSoftmax(x, out, rows, cols, this.#usable()));
  }

  transpose(x: number, out: number, rows: number, cols: number): void {
    this.#base.transpose(x, out, rows, cols);
  }

  /** Ends the helper threads; ops run here alone from now on. */
  close(): void {
    this.#threads = 1;
    this.#pool.close();
  }

  /** Threads an op can have now: those asked for, of the helpers that are ready. */
  #usable(): number {
    return this.#threads === 1 ? 1 : Math.min(this.#threads, this.#pool.readySlots().length + 1);
  }

  #run(plan: SplitPlan): void {
    const local = (call: KernelCall): void => callKernel(this.#base, call);
    for (const round of plan) {
      if (round.length === 1) local(round[0]!);
      else this.#pool.run(round, local);
    }
  }
}
