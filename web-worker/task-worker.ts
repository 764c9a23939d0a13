/**
 * The dedicated Web Worker that runs task code, one task at a time: it loads the module
 * (once per SHA-256), calls its default export per item and posts back logs, progress and the
 * outcome. The page terminates it to abort a task.
 */
import type { TaskLease } from '../shared/index.js';
import { describeFailure, TaskCodeError } from './errors.js';
import { runTaskItems, taskFunctionOf, type TaskFunction, type TaskOutcome } from './task-runner.js';
import type { TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';
import { Throttle } from './timers.js';

/** The part of `DedicatedWorkerGlobalScope` used here (the WebWorker lib is not loaded). */
interface TaskWorkerScope {
  postMessage(reply: TaskWorkerReply): void;
  onmessage: ((event: MessageEvent<TaskWorkerRequest>) => void) | null;
}

const PROGRESS_INTERVAL_MS = 100;
const scope = globalThis as unknown as TaskWorkerScope;
const modules = new Map<string, Promise<TaskFunction>>();

function loadTaskFunction(sha256: string, source: string): Promise<TaskFunction> {
  let loaded = modules.get(sha256);
  if (!loaded) {
    loaded = importSource(source);
    modules.set(sha256, loaded);
    loaded.catch(() => modules.delete(sha256));
  }
  return loaded;
}

async function importSource(source: string): Promise<TaskFunction> {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    let module: unknown;
    try {
      module = await import(/* @vite-ignore */ url);
    } catch (cause) {
      throw new TaskCodeError(`task code did not load: ${describeFailure(cause).message}`, { cause });
    }
    return taskFunctionOf(module);
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function runLease(lease: TaskLease, source: string): Promise<void> {
  const { leaseId } = lease;
  const progress = new Throttle(PROGRESS_INTERVAL_MS, (fraction: number) =>
    scope.postMessage({ type: 'progress', leaseId, fraction }),
  );
  let outcome: TaskOutcome;
  try {
    const main = await loadTaskFunction(lease.code, source);
    outcome = await runTaskItems(main, {
      task: {
        jobId: lease.jobId,
        jobName: lease.jobName,
        taskIndex: lease.taskIndex,
        attempt: lease.attempt,
        leaseId,
      },
      items: lease.items,
      firstItem: lease.firstItem,
      log: (message) => scope.postMessage({ type: 'log', leaseId, message }),
      progress: (fraction) => progress.push(fraction),
    });
  } catch (error) {
    outcome = { ok: false, error: describeFailure(error) };
  }
  progress.cancel();
  postOutcome(leaseId, outcome);
}

function postOutcome(leaseId: string, outcome: TaskOutcome): void {
  try {
    scope.postMessage({ type: 'done', leaseId, outcome });
  } catch (error) {
    // Outputs that cannot be cloned (functions, DOM-less host objects) fail the task.
    const message = `task outputs cannot leave the Web Worker: ${describeFailure(error).message}`;
    scope.postMessage({ type: 'done', leaseId, outcome: { ok: false, error: { message } } });
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'run') void runLease(request.lease, request.source);
};
