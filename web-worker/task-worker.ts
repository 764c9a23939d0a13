/**
 * The dedicated Web Worker that runs task code, one task at a time and one job only: a
 * {@link TaskHost} loads the module (once per SHA-256) through a `blob:` URL and runs the lease
 * with the task runtime, posting back logs, progress, checkpoints and the outcome, and asking the
 * page for the blobs of `ctx.wasm` and `ctx.blob` and for its shard. The page terminates it to
 * abort a task.
 *
 * Before anything else it takes the page's storage, locks and channels away from its own scope
 * (`lockDown`); its Content Security Policy lets it reach no network. When that fails it runs
 * no task, and says why.
 *
 * `ctx.tensor` comes from the backends this worker measures when it starts (the page's
 * `tensor-setup` message, or the first task): the result goes back to the page as
 * `tensor-chosen`, for the join page and the coordinator.
 */
import { TabTensors } from './tab-tensors.js';
import { peekMessage, readMessage, TaskHost } from '../worker/index.js';
import type { TaskWorkerReply } from '../worker/index.js';
import { lockDown } from './lock-down.js';
import { TensorRemeasure, TensorSetup, type TensorChosen } from './tensor-messages.js';

/** The part of `DedicatedWorkerGlobalScope` used here (the WebWorker lib is not loaded). */
interface TaskWorkerScope {
  postMessage(reply: TaskWorkerReply | TensorChosen): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
  addEventListener(type: 'securitypolicyviolation', listener: (event: SecurityPolicyViolationEvent) => void): void;
}

const scope = globalThis as unknown as TaskWorkerScope;

async function importSource(source: string): Promise<unknown> {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return (await import(/* @vite-ignore */ url)) as unknown;
  } finally {
    URL.revokeObjectURL(url);
  }
}

let lockedDown: string | undefined;
try {
  lockDown(globalThis);
} catch (error) {
  lockedDown = error instanceof Error ? error.message : String(error);
}

const tensors = new TabTensors({
  onReport: (report, matmulTune) => scope.postMessage(matmulTune ? { type: 'tensor-chosen', report, matmulTune } : { type: 'tensor-chosen', report }),
});
const host = new TaskHost({ post: (reply) => scope.postMessage(reply), importModule: importSource, tensor: tensors });
// Every message is checked against its schema where it enters: `tensor-setup` and
// `tensor-remeasure` here, the task messages by the host (which answers a malformed one).
scope.onmessage = (event) => {
  const { type, leaseId } = peekMessage(event.data);
  if (lockedDown !== undefined && type === 'run' && leaseId !== undefined) {
    scope.postMessage({ type: 'done', leaseId, outcome: { ok: false, error: { message: `this tab cannot run task code safely: ${lockedDown}` } } });
    return;
  }
  if (type === 'tensor-remeasure') {
    const remeasure = readMessage(TensorRemeasure, event.data);
    if (remeasure.ok) void tensors.remeasure(remeasure.message.prefer);
    else console.warn(`the task's Web Worker ignored a malformed 'tensor-remeasure' message: ${remeasure.reason}`);
    return;
  }
  if (type !== 'tensor-setup') {
    host.receive(event.data);
    return;
  }
  const setup = readMessage(TensorSetup, event.data);
  if (setup.ok) void tensors.start(setup.message);
  else console.warn(`the task's Web Worker ignored a malformed 'tensor-setup' message: ${setup.reason}`);
};
// The Content Security Policy (sent with this script by the coordinator) lets task code reach no
// network; what it blocks is told to the task's log and to its failure.
scope.addEventListener('securitypolicyviolation', (event) => {
  host.noteBlocked(`${event.blockedURI || 'a request'} (${event.effectiveDirective})`);
});
