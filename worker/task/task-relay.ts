import type { TaskHooks } from '../client/client-ports.js';
import { describeFailure } from '../errors.js';
import type { TaskOutcome } from './task-runner.js';
import { readMessage, TaskWorkerReply, type TaskWorkerRequest } from './task-worker-messages.js';

/**
 * The executor's side of the channel to an isolated task runtime: checks a reply against
 * {@link TaskWorkerReply}, passes its log, progress and idle time to the task's hooks, sends its
 * checkpoints on and fetches the blobs it asks for, posting back their answers; answers the
 * outcome once the task is done. A malformed reply is logged to the task as an error, and a
 * malformed `done` fails the task (its end cannot be read, and no other will come).
 * @example
 * worker.onmessage = (event) => {
 *   if (peekMessage(event.data).leaseId !== leaseId) return;
 *   const outcome = relayTaskReply(event.data, hooks, (request) => worker.postMessage(request));
 *   if (outcome) settle(outcome);
 * };
 */
export function relayTaskReply(data: unknown, hooks: TaskHooks, post: (request: TaskWorkerRequest) => void): TaskOutcome | undefined {
  const read = readMessage(TaskWorkerReply, data);
  if (!read.ok) {
    const message = `the task's worker sent a malformed ${read.type === undefined ? 'message' : `'${read.type}' message`}: ${read.reason}`;
    if (read.type === 'done') return { ok: false, error: { message } };
    hooks.log('error', message);
    return undefined;
  }
  const reply = read.message;
  switch (reply.type) {
    case 'log':
      hooks.log(reply.level, reply.message);
      return undefined;
    case 'progress':
      hooks.progress(reply.fraction);
      return undefined;
    case 'idle':
      hooks.idle(reply.ms);
      return undefined;
    case 'checkpoint': {
      const { leaseId, id } = reply;
      void hooks.checkpoint(reply.envelope).then((ack) => postQuietly(post, { type: 'checkpointed', leaseId, id, ack }));
      return undefined;
    }
    case 'blob':
      answerBytes(hooks.blob(reply.sha256), reply, post);
      return undefined;
    case 'shard':
      answerBytes(hooks.shard(), reply, post);
      return undefined;
    case 'done':
      return reply.outcome;
  }
}

function answerBytes(bytes: Promise<Uint8Array>, { leaseId, id }: { leaseId: string; id: number }, post: (request: TaskWorkerRequest) => void): void {
  bytes.then(
    (answer) => postQuietly(post, { type: 'blob', leaseId, id, bytes: answer }),
    (error: unknown) => postQuietly(post, { type: 'blob-failed', leaseId, id, error: describeFailure(error) }),
  );
}

function postQuietly(post: (request: TaskWorkerRequest) => void, request: TaskWorkerRequest): void {
  try {
    post(request);
  } catch {
    // The task's worker is gone (aborted): nobody waits for the answer.
  }
}
