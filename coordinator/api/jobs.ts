import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { JobSpec, describeIssues, isTerminal, sha256Hex, type ItemResult, type LogEntry } from '../../shared/index.js';
import { readJson } from './body.js';
import type { ApiDeps } from './deps.js';
import { ApiError, tooLarge } from './errors.js';
import { listJobStatuses, loadJobStatus } from './job-views.js';
import { ndjsonResponse } from './ndjson.js';
import { taskStatus } from './views.js';
import type { TaskOutput } from '../store/index.js';

/** `/api/v1/jobs`: submit, list, inspect and cancel jobs. */
export function jobRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.post('/', bodyLimit({ maxSize: deps.limits.maxSpecBytes, onError: tooLarge(deps.limits.maxSpecBytes) }), async (c) => {
    const parsed = JobSpec.safeParse(await readJson(c));
    if (!parsed.success) {
      const details = describeIssues(parsed.error);
      const first = details[0]!;
      throw new ApiError(400, 'invalid_spec', `invalid job spec: ${first.path}: ${first.message}`, details);
    }
    const spec = parsed.data;
    const codeSha = await storeCode(deps, spec.code);
    const record = await deps.scheduler.submit(spec, codeSha);
    return c.json(await loadJobStatus(deps, record.id), 201);
  });

  app.get('/', async (c) => c.json({ jobs: await listJobStatuses(deps) }));

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
    await loadJobStatus(deps, id);
    const outputs = await deps.store.listOutputs(id);
    return ndjsonResponse(resultPages(outputs));
  });

  app.get('/:id/logs', async (c) => {
    const id = c.req.param('id');
    await loadJobStatus(deps, id);
    const logs = await deps.store.listLogs(id);
    const entries = logs.map(
      (log): LogEntry => ({
        time: new Date(log.time).toISOString(),
        level: log.level,
        taskIndex: log.taskIndex,
        workerId: log.workerId,
        message: log.message,
      }),
    );
    return ndjsonResponse([entries]);
  });

  app.post('/:id/cancel', async (c) => {
    const id = c.req.param('id');
    const status = await loadJobStatus(deps, id);
    if (isTerminal(status.state)) throw new ApiError(409, 'conflict', `job ${id} is already ${status.state}`);
    await deps.scheduler.cancel(id);
    return c.json(await loadJobStatus(deps, id));
  });

  return app;
}

async function storeCode(deps: ApiDeps, code: JobSpec['code']): Promise<string> {
  if (typeof code === 'string') {
    const bytes = new TextEncoder().encode(code);
    const sha = await sha256Hex(bytes);
    await deps.store.putBlob(sha, bytes);
    return sha;
  }
  if (!(await deps.store.hasBlob(code.blob))) {
    throw new ApiError(400, 'invalid_spec', `invalid job spec: code.blob: no blob ${code.blob} (PUT it to /api/v1/blobs first)`, [
      { path: 'code.blob', message: 'unknown blob' },
    ]);
  }
  return code.blob;
}

/** One page of item results per task, so a large job streams instead of being built in memory. */
function* resultPages(outputs: TaskOutput[]): Iterable<ItemResult[]> {
  for (const task of outputs) {
    yield task.output.map((output, offset) => ({ index: task.firstItem + offset, output }));
  }
}
