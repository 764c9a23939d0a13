import { callKernel, instantiateKernelModule, type KernelExports } from '../module.js';
import type { SplitKernel } from '../split.js';
import { awaitCall, endCall, generationOf, setThreadState, ThreadState } from './control.js';
import { KernelThreadStart } from './messages.js';

/**
 * A kernel thread's life: checks the start message, instantiates the threaded module over the
 * shared memory, marks its slot ready and serves calls until terminated (blocking between
 * them). Resolves only when it could not start, with the reason; the caller reports it.
 * Runs where blocking is allowed: a Worker (`thread.ts`), or a Node worker thread in tests.
 */
export async function serveKernelThread(message: unknown): Promise<string> {
  const read = KernelThreadStart.safeParse(message);
  if (!read.success) return `a malformed start message: ${read.error.message}`;
  const { module, memory, slot } = read.data;
  const control = new Int32Array(read.data.control);
  let exports: KernelExports;
  try {
    exports = await instantiateKernelModule(module, memory);
  } catch (error) {
    setThreadState(control, slot, ThreadState.failed);
    return error instanceof Error ? error.message : String(error);
  }
  let seen = generationOf(control, slot);
  setThreadState(control, slot, ThreadState.ready);
  for (;;) {
    const call = awaitCall(control, slot, seen);
    seen = call.generation;
    endCall(control, slot, !runCall(exports, call.kernel, call.args));
  }
}

function runCall(exports: KernelExports, kernel: SplitKernel | undefined, args: number[]): boolean {
  if (kernel === undefined) return false;
  try {
    callKernel(exports, { kernel, args });
    return true;
  } catch {
    // A trap (an address past the memory): the pool throws it as the op's error.
    return false;
  }
}
