import { Hono } from 'hono';
import { z } from 'zod';
import { TASK_MAP_LETTERS, TASK_MAP_URGENCY, TaskMapQuery, taskCountOf, type TaskDetail, type TaskMap, type TaskState } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { ApiError, notFound } from './errors.js';
import { loadJobStatus } from './job-views.js';
import { parseQuery } from './query.js';
import { taskStatus } from './views.js';

/** Task shapes read from the store at a time for an ended job's task map. */
const MAP_PAGE_TASKS = 5000;

export const TaskIndex = z.string().regex(/^\d{1,9}$/).transform(Number);

/** `/api/v1/jobs/:id/tasks/:index` (one task in full) and `/api/v1/jobs/:id/task-map` (every task at a glance). */
export function taskViewRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.get('/:id/tasks/:index', async (c) => {
    const id = c.req.param('id');
    const index = TaskIndex.safeParse(c.req.param('index'));
    if (!index.success) throw new ApiError(400, 'invalid_query', `a task index is a whole number from 0, not '${c.req.param('index')}'`);
    const status = await loadJobStatus(deps, id);
    const tasks = taskCountOf(status.progress);
    if (index.data >= tasks) throw notFound(`task ${index.data} of job ${id} (it has ${tasks})`);
    return c.json(await loadTaskDetail(deps, id, index.data));
  });

  app.get('/:id/task-map', async (c) => {
    const id = c.req.param('id');
    const { cells } = parseQuery(TaskMapQuery, c.req.query());
    const status = await loadJobStatus(deps, id);
    return c.json(await loadTaskMap(deps, id, taskCountOf(status.progress), cells));
  });

  return app;
}

/** A task in full: a live job's from memory where it is warm (the store may not have its latest change yet), else the store's row. */
async function loadTaskDetail(deps: ApiDeps, jobId: string, index: number): Promise<TaskDetail> {
  const live = deps.scheduler.liveJob(jobId);
  const record = live?.task(index) ?? (await deps.store.listTasks(jobId, { indices: [index] }))[0];
  if (!record) throw notFound(`task ${index} of job ${jobId}`);
  const state = live ? live.tasks.state(index) : record.state;
  const checkpointBytes = record.checkpoint === undefined ? null : Buffer.byteLength(JSON.stringify(record.checkpoint));
  const detail: TaskDetail = {
    ...taskStatus({ ...record, state }),
    checkpointBytes,
    readyAt: record.readyAt > 0 ? new Date(record.readyAt).toISOString() : null,
    updatedAt: new Date(record.updatedAt).toISOString(),
    workers: heldBy(record),
  };
  const gang = deps.scheduler.gangOf(jobId, index);
  if (gang) detail.gang = gang;
  return detail;
}

/** The workers the task's row names: its last holder, and those it failed or lapsed on or excludes. */
function heldBy(record: TaskRecord): string[] {
  const workers = new Set<string>();
  if (record.workerId !== null) workers.add(record.workerId);
  for (const workerId of [...record.failedOn, ...record.lapsedOn, ...record.excluded]) workers.add(workerId);
  return [...workers];
}

/** A live job's states from memory (one pass over its table), an ended job's from the store a page at a time. */
async function loadTaskMap(deps: ApiDeps, jobId: string, total: number, cells: number): Promise<TaskMap> {
  const map = new TaskMapBuilder(total, cells);
  const live = deps.scheduler.liveJob(jobId);
  if (live) {
    live.tasks.eachState((index, state) => map.add(index, state));
    return map.result();
  }
  for (let afterIndex = -1; ; ) {
    const shapes = await deps.store.listTaskShapes(jobId, { afterIndex, limit: MAP_PAGE_TASKS });
    for (const shape of shapes) map.add(shape.index, shape.state);
    if (shapes.length < MAP_PAGE_TASKS) return map.result();
    afterIndex = shapes[shapes.length - 1]!.index;
  }
}

/** Rank of each state in a cell: the most urgent (`TASK_MAP_URGENCY` first) has the highest. */
const URGENCY = new Map<TaskState, number>(TASK_MAP_URGENCY.map((state, place) => [state, TASK_MAP_URGENCY.length - place]));
const LETTER_OF_RANK = ['', ...TASK_MAP_URGENCY.map((state) => TASK_MAP_LETTERS[state]).reverse()];

/** Folds tasks' states into at most `cells` cells, each showing the most urgent state of its tasks. */
class TaskMapBuilder {
  readonly perCell: number;
  /** Each cell's most urgent state so far, as its `URGENCY` rank (0: no task yet). */
  private readonly ranks: Uint8Array;

  constructor(
    readonly total: number,
    cells: number,
  ) {
    this.perCell = Math.max(1, Math.ceil(total / cells));
    this.ranks = new Uint8Array(Math.ceil(total / this.perCell));
  }

  add(index: number, state: TaskState): void {
    const cell = Math.floor(index / this.perCell);
    const rank = URGENCY.get(state)!;
    if (rank > this.ranks[cell]!) this.ranks[cell] = rank;
  }

  result(): TaskMap {
    let states = '';
    for (const rank of this.ranks) states += LETTER_OF_RANK[rank];
    return { total: this.total, perCell: this.perCell, states };
  }
}
