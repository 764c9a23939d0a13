import type { TaskHooks } from '../client/client-ports.js';
import { describeFailure } from '../errors.js';
import type { TaskOutcome } from './task-runner.js';
import type { TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';

/**
 * The executor's side of the channel to an isolated task runtime: passes a reply's log,
 * progress and idle time to the task's hooks, sends its checkpoints on and fetches the blobs it
 * asks for, posting back their answers; answers the outcome once the task is done.
 * @example
 * worker.onmessage = (event) => {
 *   const outcome = relayTaskReply(event.data, hooks, (request) => worker.postMessage(request));
 *   if (outcome) settle(outcome);
 * };
 */
export function relayTaskReply(
  reply: TaskWorkerReply,
  hooks: TaskHooks,
  post: (request: TaskWorkerRequest) => void,
): TaskOutcome | undefined {
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
    case 'blob': {
      const { leaseId, id } = reply;
      void hooks.blob(reply.sha256).then(
        (bytes) => postQuietly(post, { type: 'blob', leaseId, id, bytes }),
        (error: unknown) => postQuietly(post, { type: 'blob', leaseId, id, error: describeFailure(error) }),
      );
      return undefined;
    }
    case 'done':
      return reply.outcome;
  }
}

function postQuietly(post: (request: TaskWorkerRequest) => void, request: TaskWorkerRequest): void {
  try {
    post(request);
  } catch {
    // The task's worker is gone (aborted): nobody waits for the answer.
  }
}
