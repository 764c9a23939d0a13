import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describeIssues, isTerminal, JobQuery, type ItemResult, type LogEntry } from '../../shared/index.js';
import type { TaskOutput } from '../store/index.js';
import { readJson } from './body.js';
import type { ApiDeps } from './deps.js';
import { ApiError, tooLarge } from './errors.js';
import { followEvents, followLogs, jobEvent, logEntry } from './follow.js';
import { listJobPage, loadJobStatus } from './job-views.js';
import { ndjsonResponse } from './ndjson.js';
import { submitJob } from './submit.js';
import { taskStatus } from './views.js';

/** `/api/v1/jobs`: submit, list, inspect, steer and cancel jobs. */
export function jobRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.post('/', bodyLimit({ maxSize: deps.limits.maxBodyBytes, onError: tooLarge(deps.limits.maxBodyBytes) }), async (c) => {
    const { body, bytes } = await readJson(c);
    const submitted = await submitJob(deps, body, bytes);
    return c.json(submitted.status, submitted.httpStatus);
  });

  app.get('/', async (c) => {
    const query = JobQuery.safeParse(c.req.query());
    if (!query.success) {
      const details = describeIssues(query.error);
      throw new ApiError(400, 'invalid_query', `invalid query: ${details[0]!.path}: ${details[0]!.message}`, details);
    }
    return c.json(await listJobPage(deps, query.data));
  });

  app.get('/:id', async (c) => c.json(await loadJobStatus(deps, c.req.param('id'))));

  app.get('/:id/tasks', async (c) => {
    const id = c.req.param('id');
    await loadJobStatus(deps, id);
    const live = deps.scheduler.liveJob(id);
    const tasks = live ? live.tasks : await deps.store.listTasks(id);
    return c.json({ tasks: tasks.map(taskStatus) });
  });

  app.get('/:id/results', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    const record = (await deps.store.getJob(id))!;
    const reduceIndex = record.spec.reduce === undefined ? -1 : status.progress.total - 1;
    const outputs = (await deps.store.listOutputs(id)).filter((task) => task.index !== reduceIndex);
    return ndjsonResponse(resultPages(outputs));
  });

  app.get('/:id/result', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    const record = (await deps.store.getJob(id))!;
    if (record.spec.reduce === undefined) throw new ApiError(404, 'not_found', `job ${id} has no reduce step`);
    if (status.state !== 'COMPLETED') throw new ApiError(409, 'conflict', `job ${id} is ${status.state}: its result comes when it completes`);
    const outputs = await deps.store.listOutputs(id);
    return c.json({ result: outputs.find((task) => task.index === status.progress.total - 1)?.output[0] ?? null });
  });

  app.get('/:id/logs', async (c) => {
    const id = c.req.param('id');
    await loadJobStatus(deps, id);
    if (wantsFollow(c.req.query('follow'))) return followLogs(c, deps, id);
    await deps.scheduler.flushLogs();
    const entries: LogEntry[] = (await deps.store.listLogs(id)).map(logEntry);
    return ndjsonResponse([entries]);
  });

  app.get('/:id/events', async (c) => {
    const id = c.req.param('id');
    await loadJobStatus(deps, id);
    if (wantsFollow(c.req.query('follow'))) return followEvents(c, deps, id);
    return c.json({ events: (await deps.store.listJobEvents(id)).map(jobEvent) });
  });

  app.post('/:id/cancel', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    if (isTerminal(status.state)) throw new ApiError(409, 'conflict', `job ${id} is already ${status.state}`);
    await deps.scheduler.cancel(id);
    return c.json(await loadJobStatus(deps, id));
  });

  app.post('/:id/pause', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    if (!(await deps.scheduler.pause(id, 'paused by an admin'))) {
      throw new ApiError(409, 'conflict', `job ${id} is ${status.state}: only PENDING or RUNNING jobs can be paused`);
    }
    return c.json(await loadJobStatus(deps, id));
  });

  app.post('/:id/resume', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    if (!(await deps.scheduler.resume(id))) throw new ApiError(409, 'conflict', `job ${id} is ${status.state}, not PAUSED`);
    return c.json(await loadJobStatus(deps, id));
  });

  return app;
}

/** `?follow=1` (or `true`, or a bare `?follow`) follows; `?follow=0` and `false` do not. */
function wantsFollow(value: string | undefined): boolean {
  return value !== undefined && value !== '0' && value !== 'false';
}

/** One page of item results per task, so a large job streams instead of being built in memory. */
function* resultPages(outputs: TaskOutput[]): Iterable<ItemResult[]> {
  for (const task of outputs) {
    yield task.output.map((output, offset) => ({ index: task.firstItem + offset, output }));
  }
}
