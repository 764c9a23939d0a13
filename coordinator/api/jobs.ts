import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isTerminal, JobQuery, LogQuery, TaskQuery, type ItemResult, type LogEntry, type TaskPage } from '../../shared/index.js';
import type { Store } from '../store/index.js';
import { readJson } from './body.js';
import type { ApiDeps } from './deps.js';
import { ApiError, tooLarge } from './errors.js';
import { followEvents, followLogs, jobEvent, logEntry, logFilter } from './follow.js';
import { jobControlRoutes } from './job-controls.js';
import { loadTaskGraph } from './job-graph.js';
import { listJobPage, loadJobStatus } from './job-views.js';
import { ndjsonResponse } from './ndjson.js';
import { parseQuery } from './query.js';
import { submitJob } from './submit.js';
import { taskViewRoutes } from './task-views.js';
import { taskStatus } from './views.js';

/** `/api/v1/jobs`: submit, list, inspect, steer and cancel jobs (retry, resubmit, priority, run mode: `job-controls.ts`). */
export function jobRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.post('/', bodyLimit({ maxSize: deps.limits.maxBodyBytes, onError: tooLarge(deps.limits.maxBodyBytes) }), async (c) => {
    const { body, bytes } = await readJson(c);
    const submitted = await submitJob(deps, body, bytes);
    return c.json(submitted.status, submitted.httpStatus);
  });

  app.get('/', async (c) => c.json(await listJobPage(deps, parseQuery(JobQuery, c.req.query()))));

  app.get('/:id', async (c) => c.json(await loadJobStatus(deps, c.req.param('id'))));

  app.get('/:id/tasks', async (c) => {
    const id = c.req.param('id');
    await loadJobStatus(deps, id);
    const query = parseQuery(TaskQuery, c.req.query());
    // A live job holds only some of its tasks: the store has all of them, as of the last commit.
    const tasks = await deps.store.listTasks(id, {
      afterIndex: query.cursor === undefined ? -1 : Number(query.cursor),
      limit: query.limit + 1,
      ...(query.state ? { states: query.state } : {}),
    });
    const page: TaskPage = { tasks: tasks.slice(0, query.limit).map(taskStatus) };
    // One more than the page was read: there is a next page, after the page's last task.
    if (tasks.length > query.limit) page.nextCursor = String(tasks[query.limit - 1]?.index);
    return c.json(page);
  });

  app.get('/:id/graph', async (c) => c.json(await loadTaskGraph(deps, c.req.param('id'))));

  app.get('/:id/results', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    // The reduce step comes after the map tasks: its index is their count.
    const reduceIndex = status.progress.reduce === undefined ? -1 : status.progress.total;
    return ndjsonResponse(resultPages(deps.store, id, reduceIndex));
  });

  app.get('/:id/result', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    if (!status.reduce) throw new ApiError(404, 'not_found', `job ${id} has no reduce step`);
    if (status.state !== 'COMPLETED') throw new ApiError(409, 'conflict', `job ${id} is ${status.state}: its result comes when it completes`);
    const reduceIndex = status.progress.total;
    const [reduce] = await deps.store.listOutputs(id, { afterIndex: reduceIndex - 1, limit: 1 });
    return c.json({ result: reduce?.output[0] ?? null });
  });

  app.get('/:id/logs', async (c) => {
    const id = c.req.param('id');
    await loadJobStatus(deps, id);
    const query = parseQuery(LogQuery, c.req.query());
    const filter = logFilter(query);
    if (wantsFollow(query.follow)) return followLogs(c, deps, id, filter);
    await deps.scheduler.flushLogs();
    const entries: LogEntry[] = (await deps.store.listLogs(id, 0, filter)).map(logEntry);
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

  app.route('/', taskViewRoutes(deps));
  app.route('/', jobControlRoutes(deps));

  return app;
}

/** `?follow=1` (or `true`, or a bare `?follow`) follows; `?follow=0` and `false` do not. */
function wantsFollow(value: string | undefined): boolean {
  return value !== undefined && value !== '0' && value !== 'false';
}

/** Tasks read from the store at a time for `/results`: a job of any size streams in bounded memory. */
const RESULT_PAGE_TASKS = 256;

/** The item results of each done task but the reduce step, read from the store a page of tasks at a time. */
async function* resultPages(store: Store, jobId: string, reduceIndex: number): AsyncIterable<ItemResult[]> {
  for (let afterIndex = -1; ; ) {
    const tasks = await store.listOutputs(jobId, { afterIndex, limit: RESULT_PAGE_TASKS });
    const results: ItemResult[] = [];
    for (const task of tasks) {
      afterIndex = task.index;
      if (task.index !== reduceIndex) results.push(...task.output.map((output, offset) => ({ index: task.firstItem + offset, output })));
    }
    if (results.length > 0) yield results;
    if (tasks.length < RESULT_PAGE_TASKS) return;
  }
}
