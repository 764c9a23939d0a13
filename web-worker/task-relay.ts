import type { TaskHooks } from './client-ports.js';
import type { TaskOutcome } from './task-runner.js';
import type { TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';

/**
 * The executor's side of the channel to an isolated task runtime: passes a reply's log or
 * progress to the task's hooks, sends its checkpoints on and posts back their answers; answers
 * the outcome once the task is done.
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
    case 'checkpoint': {
      const { leaseId, id } = reply;
      void hooks.checkpoint(reply.envelope).then((ack) => {
        try {
          post({ type: 'checkpointed', leaseId, id, ack });
        } catch {
          // The task's worker is gone (aborted): nobody waits for the answer.
        }
      });
      return undefined;
    }
    case 'done':
      return reply.outcome;
  }
}
