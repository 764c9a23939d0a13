import { WasmKernelError } from '../errors.js';
import type { KernelCall } from '../split.js';
import { callFailed, createControl, PENDING, postCall, setThreadState, ThreadState, threadState } from './control.js';
import { KernelThreadFailed, type KernelThreadStart } from './messages.js';

/** What the pool needs of a started thread: a Web Worker in a browser. */
export interface KernelThreadPort {
  postMessage(message: KernelThreadStart): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

/** Options of {@link KernelPool}. */
export interface KernelPoolOptions {
  /** The threaded build, compiled: each thread instantiates it over `memory`. */
  readonly module: WebAssembly.Module;
  /** The shared memory of the calling thread's instance. */
  readonly memory: WebAssembly.Memory;
  /** Most helper threads (the calling thread is not one of them). */
  readonly helpers: number;
  /** Starts one thread (`spawnKernelThread` in a browser). */
  readonly spawn: () => KernelThreadPort;
}

/**
 * Helper threads that run parts of a kernel call beside the calling thread, all over one shared
 * memory. They are started on demand (`grow`) and count once ready; a round of calls goes one
 * to the caller and one to each of as many ready helpers, and `run` returns when all have ended
 * (the caller blocks with `Atomics.wait` where it may, and spins on a page's main thread). A
 * thread that cannot start is left out, and said in `failures`.
 * @example
 * const pool = new KernelPool({ module, memory, helpers: navigator.hardwareConcurrency - 1, spawn: spawnKernelThread });
 * pool.grow(1);
 * pool.run(round, (call) => callKernel(exports, call));
 */
export class KernelPool {
  readonly #options: KernelPoolOptions;
  readonly #control: Int32Array<SharedArrayBuffer>;
  readonly #threads: (KernelThreadPort | undefined)[] = [];
  readonly #failures: string[] = [];
  readonly #canBlock = agentCanBlock();

  constructor(options: KernelPoolOptions) {
    this.#options = options;
    this.#control = createControl(options.helpers);
  }

  /** Most helper threads this pool may have. */
  get size(): number {
    return this.#options.helpers;
  }

  /** Why threads could not start, one line each. */
  get failures(): readonly string[] {
    return this.#failures;
  }

  /** Slots of the helpers ready for calls, in order. */
  readySlots(): number[] {
    return this.#threads.flatMap((thread, slot) => (thread !== undefined && threadState(this.#control, slot) === ThreadState.ready ? [slot] : []));
  }

  /** Whether every thread started so far is ready or has failed (none is still coming up). */
  settled(): boolean {
    return this.#threads.every((thread, slot) => thread === undefined || threadState(this.#control, slot) !== ThreadState.starting);
  }

  /** Starts threads until `count` (at most `size`) have been started; they come up in the background. */
  grow(count: number): void {
    while (this.#threads.length < Math.min(count, this.size)) this.#start(this.#threads.length);
  }

  /**
   * Runs a round: `calls[0]` here by `local`, the others on ready helpers (one each; there must be
   * enough), returning when all have ended. Throws `WasmKernelError` when a helper's part failed.
   */
  run(calls: readonly KernelCall[], local: (call: KernelCall) => void): void {
    const [own, ...others] = calls;
    if (own === undefined) return;
    const slots = this.readySlots().slice(0, others.length);
    if (slots.length < others.length) throw new WasmKernelError(`${others.length} helper threads needed, ${slots.length} ready`);
    Atomics.store(this.#control, PENDING, others.length);
    others.forEach((call, index) => postCall(this.#control, slots[index]!, call));
    try {
      local(own);
    } finally {
      this.#awaitHelpers();
    }
    const failed = slots.filter((slot) => callFailed(this.#control, slot));
    if (failed.length > 0) throw new WasmKernelError(`${own.kernel} failed on helper thread ${failed.join(', ')} (an address past the memory?)`);
  }

  /** Ends every thread; the pool starts none again. */
  close(): void {
    this.#threads.forEach((thread) => thread?.terminate());
    this.#threads.length = this.size;
    this.#threads.fill(undefined);
  }

  #awaitHelpers(): void {
    for (;;) {
      const left = Atomics.load(this.#control, PENDING);
      if (left === 0) return;
      if (this.#canBlock) Atomics.wait(this.#control, PENDING, left);
    }
  }

  #start(slot: number): void {
    let thread: KernelThreadPort;
    try {
      thread = this.#options.spawn();
    } catch (error) {
      this.#threads[slot] = undefined;
      this.#fail(slot, `cannot start a kernel thread: ${String(error)}`);
      return;
    }
    this.#threads[slot] = thread;
    thread.onmessage = (event) => {
      const read = KernelThreadFailed.safeParse(event.data);
      this.#fail(slot, read.success ? read.data.reason : `a malformed message: ${read.error.message}`);
    };
    thread.onerror = (event) => this.#fail(slot, event.message || 'the thread failed to load');
    const { module, memory } = this.#options;
    thread.postMessage({ type: 'start', module, memory, control: this.#control.buffer, slot });
  }

  #fail(slot: number, reason: string): void {
    this.#failures.push(`kernel thread ${slot}: ${reason}`);
    // Only a thread that is not ready can fail: a ready one blocks in its loop until terminated.
    if (threadState(this.#control, slot) === ThreadState.ready) return;
    this.#threads[slot]?.terminate();
    this.#threads[slot] = undefined;
    setThreadState(this.#control, slot, ThreadState.failed);
  }
}

/** Whether this thread may block in `Atomics.wait` (a Worker may; a page's main thread may not). */
function agentCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
