import type { TaskLease } from '../shared/index.js';
import type { TaskExecutor, TaskHooks } from './client-ports.js';
import { TaskAbortedError, TaskFailedError } from './errors.js';
import type { TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';

/** Starts a task Web Worker (the default starts `task-worker.ts` as a module worker). */
export type TaskWorkerFactory = () => Worker;

interface BusyWorker {
  worker: Worker;
  reject(error: Error): void;
}

/** Starts the bundled task Web Worker. */
export function createTaskWorker(): Worker {
  return new Worker(new URL('./task-worker.ts', import.meta.url), { type: 'module', name: 'tabgrid task' });
}

/**
 * Runs each task in a dedicated Web Worker, one task per worker at a time. Aborting
 * terminates that worker (whatever the task code is doing); finished workers are reused,
 * so a module already loaded there is not loaded again.
 * @example
 * const executor = new BrowserExecutor();
 * const outputs = await executor.run(lease, source, { log: console.log, progress: () => {} });
 */
export class BrowserExecutor implements TaskExecutor {
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<string, BusyWorker>();

  constructor(private readonly createWorker: TaskWorkerFactory = createTaskWorker) {}

  run(lease: TaskLease, source: string, hooks: TaskHooks): Promise<unknown[]> {
    const { leaseId } = lease;
    const worker = this.#idle.pop() ?? this.createWorker();
    return new Promise<unknown[]>((resolve, reject) => {
      this.#busy.set(leaseId, { worker, reject });
      worker.onmessage = (event: MessageEvent<TaskWorkerReply>) => {
        const reply = event.data;
        if (reply.leaseId !== leaseId) return;
        if (reply.type === 'log') hooks.log('info', reply.message);
        else if (reply.type === 'progress') hooks.progress(reply.fraction);
        else {
          this.#busy.delete(leaseId);
          this.#idle.push(worker);
          if (reply.outcome.ok) resolve(reply.outcome.outputs);
          else reject(new TaskFailedError(reply.outcome.error));
        }
      };
      // An error no task promise caught (a throw in a timer callback) leaves the task
      // unfinishable: fail it and start afresh.
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#fail(leaseId, `uncaught error in the task's Web Worker: ${event.message || 'unknown error'}`);
      };
      worker.onmessageerror = () => this.#fail(leaseId, "a message from the task's Web Worker could not be read");
      const request: TaskWorkerRequest = { type: 'run', lease, source };
      worker.postMessage(request);
    });
  }

  abort(leaseId: string): void {
    this.#discard(leaseId)?.reject(new TaskAbortedError(`task ${leaseId} was aborted`));
  }

  /** Terminates every Web Worker, busy or idle. */
  close(): void {
    for (const leaseId of [...this.#busy.keys()]) this.abort(leaseId);
    for (const worker of this.#idle.splice(0)) worker.terminate();
  }

  #fail(leaseId: string, message: string): void {
    this.#discard(leaseId)?.reject(new TaskFailedError({ message }));
  }

  #discard(leaseId: string): BusyWorker | undefined {
    const busy = this.#busy.get(leaseId);
    if (!busy) return undefined;
    this.#busy.delete(leaseId);
    busy.worker.terminate();
    return busy;
  }
}
