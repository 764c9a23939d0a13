/**
 * A kernel thread: a Web Worker a kernel pool starts (`spawn.ts`). It runs only the kernels, on
 * parts of buffers in the shared memory the pool hands it, and never task code.
 */
import { serveKernelThread } from './serve.js';
import type { KernelThreadFailed } from './messages.js';

/** The part of `DedicatedWorkerGlobalScope` used here (the WebWorker lib is not loaded). */
interface ThreadScope {
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  postMessage(message: KernelThreadFailed): void;
}

const scope = globalThis as unknown as ThreadScope;
scope.onmessage = (event) => {
  scope.onmessage = null;
  void serveKernelThread(event.data).then((reason) => scope.postMessage({ type: 'failed', reason }));
};
