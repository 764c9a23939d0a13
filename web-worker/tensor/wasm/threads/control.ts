/**
 * The control block a kernel pool and its threads share: an Int32Array over a SharedArrayBuffer.
 * Word `PENDING` counts the calls of the current round not yet ended; each thread has a slot with
 * a generation it waits on (`Atomics.wait`), its state, and its next call: the kernel's number
 * (`SPLIT_KERNELS`), the error flag, and up to `MAX_ARGS` i32 arguments.
 */
import { SPLIT_KERNELS, type KernelCall, type SplitKernel } from '../split.js';

export const PENDING = 0;
const HEADER_WORDS = 4;
const SLOT_WORDS = 24;
const GENERATION = 0;
const STATE = 1;
const KERNEL = 2;
const FAILED = 3;
const ARG_COUNT = 4;
const ARGS = 5;
/** Most arguments a call carries (matmulBatched has 14). */
export const MAX_ARGS = SLOT_WORDS - ARGS;

/** A thread's state in its slot. */
export const ThreadState = { starting: 0, ready: 1, failed: 2 } as const;

/** A control block with room for `threads` slots. */
export function createControl(threads: number): Int32Array<SharedArrayBuffer> {
  return new Int32Array(new SharedArrayBuffer((HEADER_WORDS + threads * SLOT_WORDS) * 4));
}

function slotBase(slot: number): number {
  return HEADER_WORDS + slot * SLOT_WORDS;
}

export function threadState(control: Int32Array, slot: number): number {
  return Atomics.load(control, slotBase(slot) + STATE);
}

export function setThreadState(control: Int32Array, slot: number, state: number): void {
  Atomics.store(control, slotBase(slot) + STATE, state);
}

/** The pool's side: hands `call` to the thread of `slot` and wakes it. */
export function postCall(control: Int32Array, slot: number, call: KernelCall): void {
  if (call.args.length > MAX_ARGS) throw new RangeError(`${call.kernel} has ${call.args.length} arguments; a slot holds ${MAX_ARGS}`);
  const base = slotBase(slot);
  control[base + KERNEL] = SPLIT_KERNELS.indexOf(call.kernel);
  control[base + FAILED] = 0;
  control[base + ARG_COUNT] = call.args.length;
  control.set(call.args, base + ARGS);
  // The add is a full fence: the thread that sees the new generation sees the call too.
  Atomics.add(control, base + GENERATION, 1);
  Atomics.notify(control, base + GENERATION, 1);
}

/** Whether the call last posted to `slot` threw on its thread. */
export function callFailed(control: Int32Array, slot: number): boolean {
  return Atomics.load(control, slotBase(slot) + FAILED) !== 0;
}

/**
 * The thread's side: from the generation it has seen, waits for the next call and returns it
 * with the new generation (`kernel` undefined for a number that names none). Blocks, as a Worker may.
 */
export function awaitCall(control: Int32Array, slot: number, seen: number): { generation: number; kernel: SplitKernel | undefined; args: number[] } {
  const base = slotBase(slot);
  while (Atomics.load(control, base + GENERATION) === seen) Atomics.wait(control, base + GENERATION, seen);
  const generation = Atomics.load(control, base + GENERATION);
  const kernel = SPLIT_KERNELS[control[base + KERNEL] ?? -1];
  const count = control[base + ARG_COUNT] ?? 0;
  return { generation, kernel, args: Array.from(control.subarray(base + ARGS, base + ARGS + count)) };
}

export function generationOf(control: Int32Array, slot: number): number {
  return Atomics.load(control, slotBase(slot) + GENERATION);
}

/** The thread's side: its call ended (`failed` if it threw); the last one of a round wakes the pool. */
export function endCall(control: Int32Array, slot: number, failed: boolean): void {
  if (failed) Atomics.store(control, slotBase(slot) + FAILED, 1);
  if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
}
