import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  JobSpec,
  describeIssues,
  isTerminal,
  sha256Hex,
  type ItemResult,
  type JobSpec as ValidJobSpec,
  type JobState,
  type JobStatus,
  type LogEntry,
  type Stats,
  type TaskStatus,
  type WorkerStatus,
} from '../../shared/index.js';
import type { FetchFunction } from '../rest.js';

/** A job as the fake keeps it; tests change its fields to drive the client. */
export interface FakeJob {
  spec: ValidJobSpec;
  status: JobStatus;
  /** States the next status requests report, one per request, before `status.state`. */
  upcomingStates: JobState[];
  results: ItemResult[];
  logs: LogEntry[];
  tasks: TaskStatus[];
}

/** A request the fake received. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FakeCoordinatorOptions {
  /** The admin token it accepts. @default 'secret' */
  token?: string;
  /** Run each submitted job's module here, as a volunteer tab would, so `map()` completes. @default false */
  runJobs?: boolean;
  /** Bytes per chunk of NDJSON answers, to check that lines split across chunks are joined. @default 7 */
  ndjsonChunkBytes?: number;
}

/**
 * An in-process stand-in for the coordinator's REST API, for unit tests of the SDK and CLI:
 * `new Tabgrid({ url: 'http://fake', token: 'secret', fetch: fake.fetch })`.
 * The real coordinator is tested end to end in e2e/.
 */
export function createFakeCoordinator(options: FakeCoordinatorOptions = {}) {
  const token = options.token ?? 'secret';
  const jobs = new Map<string, FakeJob>();
  const blobs = new Map<string, Uint8Array>();
  const requests: SeenRequest[] = [];
  const pendingRuns: Promise<void>[] = [];
  const app = new Hono();

  app.use(async (c, next) => {
    requests.push({ method: c.req.method, path: c.req.path, authorization: c.req.header('authorization') });
    if (c.req.path !== '/api/v1/health' && c.req.header('authorization') !== `Bearer ${token}`) {
      return errorResponse(c, 401, 'UNAUTHORIZED', 'missing or wrong admin token');
    }
    return next();
  });

  app.post('/api/v1/jobs', async (c) => {
    const parsed = JobSpec.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return errorResponse(c, 400, 'INVALID_SPEC', 'invalid job spec', describeIssues(parsed.error));
    const job = newJob(`job-${jobs.size + 1}`, parsed.data);
    jobs.set(job.status.id, job);
    if (options.runJobs) pendingRuns.push(runJob(job));
    return c.json(job.status, 201);
  });
  app.get('/api/v1/jobs', (c) => c.json({ jobs: [...jobs.values()].map((job) => job.status) }));
  app.get('/api/v1/jobs/:id', (c) => withJob(c, (job) => c.json(nextStatus(job))));
  app.get('/api/v1/jobs/:id/tasks', (c) => withJob(c, (job) => c.json({ tasks: job.tasks })));
  app.get('/api/v1/jobs/:id/results', (c) => withJob(c, (job) => ndjsonResponse(job.results, options.ndjsonChunkBytes ?? 7)));
  app.get('/api/v1/jobs/:id/logs', (c) => withJob(c, (job) => ndjsonResponse(job.logs, options.ndjsonChunkBytes ?? 7)));
  app.post('/api/v1/jobs/:id/cancel', (c) =>
    withJob(c, (job) => {
      if (isTerminal(job.status.state)) return errorResponse(c, 409, 'CONFLICT', `job ${job.status.id} has already ended`);
      job.status = { ...job.status, state: 'CANCELLED' };
      return c.json(job.status);
    }),
  );
  app.get('/api/v1/workers', (c) => c.json({ workers: [sampleWorker] }));
  app.get('/api/v1/stats', (c) => c.json(sampleStats(jobs.size)));
  app.get('/api/v1/health', (c) => c.json({ ok: true }));
  app.get('/api/v1/join-url', (c) => c.json({ url: 'http://fake/join?token=j' }));
  app.put('/api/v1/blobs/:sha256', async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== c.req.param('sha256')) return errorResponse(c, 400, 'HASH_MISMATCH', 'bytes do not match the SHA-256');
    blobs.set(sha256, bytes);
    return c.json({ sha256, size: bytes.byteLength }, 201);
  });

  function withJob(c: Context, answer: (job: FakeJob) => Response | Promise<Response>): Response | Promise<Response> {
    const job = jobs.get(c.req.param('id') ?? '');
    return job ? answer(job) : errorResponse(c, 404, 'NOT_FOUND', `no job ${c.req.param('id')}`);
  }

  const fetch: FetchFunction = (input, init) => app.request(input, init);
  return {
    app,
    fetch,
    jobs,
    blobs,
    requests,
    /** Resolves when every job started by `runJobs` has finished. */
    settled: () => Promise.all(pendingRuns),
  };
}

export type FakeCoordinator = ReturnType<typeof createFakeCoordinator>;

function newJob(id: string, spec: ValidJobSpec): FakeJob {
  const total = Math.ceil(spec.input.items.length / spec.input.chunkSize);
  const now = new Date(0).toISOString();
  return {
    spec,
    status: {
      id,
      name: spec.name,
      state: 'PENDING',
      priority: spec.priority,
      progress: { total, done: 0, failed: 0, running: 0 },
      items: spec.input.items.length,
      createdAt: now,
      updatedAt: now,
    },
    upcomingStates: [],
    results: [],
    logs: [],
    tasks: [],
  };
}

function nextStatus(job: FakeJob): JobStatus {
  const state = job.upcomingStates.shift();
  return state === undefined ? job.status : { ...job.status, state };
}

/** Runs the job's module on each item in this process, as a tab would, then records the outcome. */
async function runJob(job: FakeJob): Promise<void> {
  job.status = { ...job.status, state: 'RUNNING' };
  if (typeof job.spec.code !== 'string') throw new Error('the fake runs inline code only');
  const url = `data:text/javascript;base64,${Buffer.from(job.spec.code).toString('base64')}`;
  const module = (await import(url)) as { default: (item: unknown, ctx: unknown) => unknown };
  const { items, chunkSize } = job.spec.input;
  const ctx = { log: () => undefined, progress: () => undefined, checkpoint: () => undefined, restored: undefined };
  for (const [index, item] of items.entries()) {
    try {
      job.results.push({ index, output: await module.default(item, ctx) });
    } catch (error) {
      const taskIndex = Math.floor(index / chunkSize);
      const message = error instanceof Error ? error.message : String(error);
      job.status = { ...job.status, state: 'FAILED', error: { message, taskIndex } };
      return;
    }
  }
  const total = job.status.progress.total;
  job.status = { ...job.status, state: 'COMPLETED', progress: { ...job.status.progress, done: total } };
}

/** NDJSON in small chunks that cut lines (and multi-byte characters) apart. */
function ndjsonResponse(lines: readonly unknown[], chunkBytes: number): Response {
  const bytes = new TextEncoder().encode(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } });
}

function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown): Response {
  return c.json({ error: details === undefined ? { code, message } : { code, message, details } }, status);
}

const sampleWorker: WorkerStatus = {
  id: 'w1',
  connected: true,
  capabilities: { runtime: 'browser', webgpu: null, userAgent: 'test' },
  joinedAt: new Date(0).toISOString(),
  tasksDone: 0,
  currentTasks: [],
};

function sampleStats(jobCount: number): Stats {
  return {
    jobs: { COMPLETED: jobCount },
    tasks: {},
    workers: 1,
    queueDepth: 0,
    leaseLapses: 0,
    retries: 0,
    lateResults: 0,
    uptimeSeconds: 1,
  };
}
