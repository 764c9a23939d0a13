import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isTerminal, PriorityBody, RunModeBody, type JobSpec } from '../../shared/index.js';
import { InvalidSpecError } from '../scheduler/index.js';
import { readJsonAs } from './body.js';
import type { ApiDeps } from './deps.js';
import { ApiError, notFound, tooLarge } from './errors.js';
import { loadJobStatus } from './job-views.js';
import { submitJob } from './submit.js';

/** Largest body a job control takes: `{ "priority": 10 }` and the like. */
export const MAX_CONTROL_BODY_BYTES = 1024;

/**
 * `/api/v1/jobs/:id/…`: an admin's controls of a job beyond pause, resume and cancel. `retry`
 * runs a FAILED job's failed (and cancelled) tasks again; `resubmit` makes a new job of its spec;
 * `priority` and `run-mode` change a live job. Each answers the job's status (`resubmit`: the new job's).
 */
export function jobControlRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  const smallBody = bodyLimit({ maxSize: MAX_CONTROL_BODY_BYTES, onError: tooLarge(MAX_CONTROL_BODY_BYTES) });

  // Jobs that failed because this one failed (`dependsOn`) stay failed: submit them again.
  app.post('/:id/retry', async (c) => {
    const id = c.req.param('id');
    const { state } = await loadJobStatus(deps, id);
    if (state !== 'FAILED' || (await deps.scheduler.retry(id)) === undefined) {
      throw new ApiError(409, 'conflict', `job ${id} is ${state === 'FAILED' ? 'being retried already' : state}: only a FAILED job can be retried`);
    }
    return c.json(await loadJobStatus(deps, id));
  });

  // Through the same path as `POST /api/v1/jobs`, so every policy applies; the new job runs at this one's priority.
  app.post('/:id/resubmit', async (c) => {
    const id = c.req.param('id');
    const record = await deps.store.getJob(id);
    if (!record) throw notFound(`job ${id}`);
    if (record.state === 'REJECTED') throw new ApiError(409, 'conflict', `job ${id} is REJECTED: its spec was not kept, so there is nothing to submit again`);
    const { idempotencyKey: _key, ...spec }: JobSpec = record.spec;
    const body = { ...spec, priority: record.priority };
    const submitted = await submitJob(deps, body, Buffer.byteLength(JSON.stringify(body)));
    return c.json(submitted.status, submitted.httpStatus);
  });

  app.post('/:id/priority', smallBody, async (c) => {
    const id = c.req.param('id');
    const { state } = await loadJobStatus(deps, id);
    const { priority } = await readJsonAs(c, PriorityBody);
    if (isTerminal(state) || !(await deps.scheduler.setPriority(id, priority))) {
      throw new ApiError(409, 'conflict', `job ${id} is ${state}: only a job that has not ended gets a new priority`);
    }
    return c.json(await loadJobStatus(deps, id));
  });

  app.post('/:id/run-mode', smallBody, async (c) => {
    const id = c.req.param('id');
    const { state } = await loadJobStatus(deps, id);
    const { runMode } = await readJsonAs(c, RunModeBody);
    if (isTerminal(state) || !(await switchRunMode(deps, id, runMode))) {
      throw new ApiError(409, 'conflict', `job ${id} is ${state}: only a job that has not ended changes its run mode`);
    }
    return c.json(await loadJobStatus(deps, id));
  });

  return app;
}

/** Switches a live job's run mode; a gang job's is 400 `invalid_spec`. Answers false if the job is not live. */
async function switchRunMode(deps: ApiDeps, id: string, runMode: RunModeBody['runMode']): Promise<boolean> {
  try {
    return await deps.scheduler.setRunMode(id, runMode);
  } catch (error) {
    if (error instanceof InvalidSpecError) throw new ApiError(400, 'invalid_spec', error.message, [{ path: error.path, message: error.reason }]);
    throw error;
  }
}
