/**
 * The task code contract: what task code is called with, in a tab's Web Worker, a Node worker
 * thread and the SDK's local runner alike. Declared once, here; every runtime implements it.
 */
import type { TensorCore } from '../tensor/index.js';
import type { Comm } from './comm.js';

/** A blob named by its SHA-256: the hex string, or `{ blob: sha256 }` as in job specs. */
export type TaskBlobRef = string | { blob: string };

/** `ctx.wasm`: instantiates the WebAssembly module stored as a blob. */
export type WasmInstantiator = (ref: TaskBlobRef, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>;

/** Which bytes of a blob `ctx.blob` reads: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * `ctx.blob`: the bytes of a blob (verified, through the worker's blob cache), or a copy of
 * `range` of them.
 */
export type BlobBytes = (ref: TaskBlobRef, range?: ByteRange) => Promise<Uint8Array>;

/**
 * `ctx.tensor`: the tensor core of one task. `forceDeviceLoss` is there only where the core runs
 * on a device that can be lost (WebGPU): a test hook that destroys the device as a driver reset
 * would, so the runtime's handling of a loss can be seen end to end.
 * @example
 * const t = ctx.tensor;
 * const c = t.matmul(t.tensor(a, [m, k]), t.tensor(b, [k, n]));
 * const out = await c.data();
 */
export type TaskTensorCore = TensorCore & { readonly forceDeviceLoss?: () => void };


/** What `ctx.task` tells task code about the call it is in. */
export interface TaskInfo {
  jobId: string;
  jobName: string;
  taskIndex: number;
  attempt: number;
  leaseId: string;
  /** Items tasks only: the index of this item in the whole job. */
  itemIndex?: number;
}

/** The output of a unit (item, or task of a range or blob job) that the current one waits for. */
export interface Predecessor {
  index: number;
  output: unknown;
}

/**
 * The second argument of the task function.
 * @example
 * export default async (item, ctx) => {
 *   ctx.log('working on', ctx.task.itemIndex);
 *   const from = ctx.restored?.step ?? 0;
 *   for (let step = from; step < 100; step++) {
 *     ctx.progress(step / 100);
 *     if (step % 10 === 0) await ctx.checkpoint({ step });
 *   }
 *   return ctx.predecessors.reduce((sum, p) => sum + p.output, item);
 * };
 */
export interface TaskContext {
  readonly task: Readonly<TaskInfo>;
  /** Logs a line (joined like `console.log`) to the job's log. */
  log(...args: unknown[]): void;
  /** How far the current call is, from 0 to 1. */
  progress(fraction: number): void;
  /**
   * Saves state to resume from: a later attempt of this task gets it as `ctx.restored`.
   * Resolves true once the coordinator stored it, false when it was refused (too large: a
   * warning is logged and the task goes on) or the lease is no longer current.
   *
   * The state travels as JSON and must come back as it went: plain objects, arrays, strings,
   * finite numbers, booleans and null. Anything else rejects the call at once, with a
   * `CheckpointStateError` whose message says where in the state it is and what to do instead:
   * typed arrays, ArrayBuffers and DataViews, Maps, Sets, Dates (JSON would make them strings:
   * store `getTime()` or `toISOString()`), undefined inside objects or arrays, BigInts, functions,
   * symbols, NaN and ±Infinity, cycles, and instances of classes. Nothing is saved then, and the
   * last saved state stands.
   * @example await ctx.checkpoint({ step, weights: Array.from(weights) }); // not the Float32Array itself
   * @throws {CheckpointStateError} (as a rejection) for a state JSON cannot carry, e.g.
   * `checkpoint state at .weights is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob`
   */
  checkpoint(state: unknown): Promise<boolean>;
  /**
   * The last state passed to `ctx.checkpoint` in this task, by this attempt or an earlier one
   * (a refused one does not count), or undefined. The items of a task share it: key it by
   * `ctx.task.itemIndex` when it belongs to one item.
   */
  readonly restored: unknown;
  /** Outputs of the units this one waits for (the job's `dependencies`), by index. */
  readonly predecessors: readonly Predecessor[];
  /**
   * In a worker (a browser tab, a Node worker): instantiates the WebAssembly module stored as a
   * blob (`grid.putBlob(bytes)`), named by its SHA-256 or `{ blob: sha256 }`, with `imports`.
   * Resolves the `WebAssembly.Instance`. The bytes come through the worker's blob cache (checked
   * against the hash) and the compiled module is kept, so later calls only instantiate.
   * @example const { exports } = await ctx.wasm(input.adder); exports.add(1, 2);
   */
  readonly wasm?: WasmInstantiator;
  /**
   * In a worker: the bytes of a blob, named like `ctx.wasm`'s, through the worker's blob cache;
   * with `{ offset, length }` only those bytes (a copy, cut from the cached whole blob).
   * @example const weights = new Float32Array((await ctx.blob({ blob: sha })).buffer);
   * @example const row = new Float32Array((await ctx.blob(sha, { offset: 4 * k * i, length: 4 * k })).buffer);
   */
  readonly blob?: BlobBytes;
  /**
   * The tensor core: WebGPU, WASM or the CPU reference in a tab (as chosen when it joined), the
   * CPU reference under Node. Made on first use; the tensors a task makes are freed when it ends.
   * A lost GPU device fails the attempt (`DeviceLostError` in its message) and the tab opens a
   * new device for the next task. Where the core runs on WebGPU, `forceDeviceLoss()` is a test
   * hook that loses the device.
   * @example
   * const t = ctx.tensor;
   * const c = await t.matmul(t.tensor(a, [m, k]), t.tensor(b, [k, n])).data();
   */
  readonly tensor?: TaskTensorCore;
  /** Gang tasks: this member's rank, 0..size-1 (the task function is called once, with the gang's one item). */
  readonly rank?: number;
  /** Gang tasks: how many members this attempt of the gang has. */
  readonly size?: number;
  /**
   * Gang tasks: collectives with the other members (`send`, `recv`, `broadcast`, `gather`,
   * `allGather`, `reduce`, `allReduce`, `reduceScatter`, `barrier`), over WebRTC between tabs and
   * in-process in a Node worker and the local runner. Tensors it returns are made on `ctx.tensor`.
   * @example const mean = await ctx.comm.allReduce(gradients, 'mean');
   */
  readonly comm?: Comm;
}

/**
 * More members for `ctx`, given by the environment that runs the task (e.g. `{ tensor }`).
 * They come first, so they cannot replace the runtime's own.
 */
export type ContextExtras = Readonly<Record<string, unknown>>;

/**
 * The default export of task code: called once per item (or once per range, shard or reduce), may be async.
 * @example const square: TaskFunction<number, number> = (x, ctx) => { ctx.log('squaring', x); return x * x; };
 */
export type TaskFunction<I = unknown, O = unknown> = (input: I, ctx: TaskContext) => O | Promise<O>;

