import { Hono } from 'hono';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  JobSpec,
  describeIssues,
  isTerminal,
  partition,
  sha256Hex,
  type ItemResult,
  type JobEvent,
  type JobSpec as ValidJobSpec,
  type JobState,
  type JobStatus,
  type LogEntry,
  type Stats,
  type TaskShare,
  type TaskStatus,
  type WorkerStatus,
} from '../../shared/index.js';
import type { FetchFunction } from '../rest.js';
import { runJob } from './fake-runner.js';

/** A job as the fake keeps it; tests change its fields to drive the client. */
export interface FakeJob {
  spec: ValidJobSpec;
  status: JobStatus;
  /** States the next status requests report, one per request, before `status.state`. */
  upcomingStates: JobState[];
  results: ItemResult[];
  logs: LogEntry[];
  tasks: TaskStatus[];
  /** State changes, as `GET /jobs/:id/events` lists them; `fake.transition()` adds to it. */
  events: JobEvent[];
  /** The reduce step's output, once the job has COMPLETED. */
  result?: unknown;
  /** Called whenever `transition()` or `log()` changes the job, to wake its followers. */
  readonly followers: Set<() => void>;
  /** The task shares the spec's input was split into. */
  readonly shares: TaskShare[];
  started: boolean;
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
  /** Run each submitted job's module (and reduce) here, as a volunteer tab would, so `map()` completes. @default false */
  runJobs?: boolean;
  /** Bytes per chunk of NDJSON answers, to check that lines split across chunks are joined. @default 7 */
  ndjsonChunkBytes?: number;
  /** Bytes per chunk of Server-Sent Events, to check that events split across chunks are joined. @default 5 */
  sseChunkBytes?: number;
  /** A larger spec is recorded as REJECTED and answered 413. @default 1 MiB */
  maxSpecBytes?: number;
  /** With this many jobs not ended, a new one is recorded as REJECTED and answered 429. @default 1000 */
  maxQueuedJobs?: number;
}

const PAUSED_REASON = 'paused: POST /api/v1/jobs/:id/resume to go on';

/**
 * An in-process stand-in for the coordinator's REST API, for unit tests of the SDK and CLI:
 * `new Tabgrid({ url: 'http://fake', token: 'secret', fetch: fake.fetch })`.
 * The real coordinator is tested end to end in e2e/ (and the SSE follow in sdk/follow.test.ts).
 */
export function createFakeCoordinator(options: FakeCoordinatorOptions = {}) {
  const token = options.token ?? 'secret';
  const chunkBytes = { ndjson: options.ndjsonChunkBytes ?? 7, sse: options.sseChunkBytes ?? 5 };
  const jobs = new Map<string, FakeJob>();
  const blobs = new Map<string, Uint8Array>();
  const requests: SeenRequest[] = [];
  const pendingRuns: Promise<void>[] = [];
  let nextEventId = 1;
  const app = new Hono();

  /** Moves a job to `to`, recording the event and waking whoever follows the job. */
  function transition(job: FakeJob, to: JobState, reason: string): void {
    const from = job.events.length === 0 ? null : job.status.state;
    const { waitingReason: _dropped, ...rest } = job.status;
    job.status = { ...rest, state: to, updatedAt: new Date(0).toISOString(), ...(to === 'PAUSED' ? { waitingReason: PAUSED_REASON } : {}) };
    job.events.push({ id: nextEventId++, time: new Date(0).toISOString(), from, to, reason });
    for (const wake of job.followers) wake();
  }

  function log(job: FakeJob, message: string, level: LogEntry['level'] = 'info'): void {
    job.logs.push({ time: new Date(0).toISOString(), level, taskIndex: null, workerId: null, message });
    for (const wake of job.followers) wake();
  }

  function startIfReady(job: FakeJob): void {
    if (!options.runJobs || job.started || job.status.state !== 'PENDING') return;
    job.started = true;
    pendingRuns.push(runJob(job, transition, log));
  }

  app.use(async (c, next) => {
    requests.push({ method: c.req.method, path: c.req.path, authorization: c.req.header('authorization') });
    if (c.req.path !== '/api/v1/health' && c.req.header('authorization') !== `Bearer ${token}`) {
      return errorResponse(c, 401, 'UNAUTHORIZED', 'missing or wrong admin token');
    }
    return next();
  });

  app.post('/api/v1/jobs', async (c) => {
    const text = await c.req.text();
    const parsed = JobSpec.safeParse(parseJson(text));
    if (!parsed.success) return errorResponse(c, 400, 'INVALID_SPEC', 'invalid job spec', describeIssues(parsed.error));
    const spec = parsed.data;
    if (spec.runMode === 'local') return errorResponse(c, 400, 'INVALID_SPEC', 'invalid job spec: runMode: local jobs run in the SDK');
    const existing = [...jobs.values()].find(
      (job) => spec.idempotencyKey !== undefined && job.spec.idempotencyKey === spec.idempotencyKey && job.status.state !== 'REJECTED',
    );
    if (existing) return c.json({ ...existing.status, existing: true }, 200);
    const job = await newJob(`job-${jobs.size + 1}`, spec, blobs);
    jobs.set(job.status.id, job);
    const refusal = policyRefusal(new TextEncoder().encode(text).byteLength);
    if (refusal) {
      job.status.error = { message: refusal.reason };
      transition(job, 'REJECTED', refusal.reason);
      return c.json(job.status, refusal.httpStatus);
    }
    transition(job, 'SUBMITTED', 'submitted');
    transition(job, 'PENDING', `accepted: ${job.status.progress.total} tasks`);
    if (spec.runMode === 'paused') transition(job, 'PAUSED', 'submitted with runMode paused');
    startIfReady(job);
    return c.json(job.status, 201);
  });

  function policyRefusal(bytes: number): { reason: string; httpStatus: 413 | 429 } | undefined {
    const maxSpecBytes = options.maxSpecBytes ?? 1024 * 1024;
    if (bytes > maxSpecBytes) return { reason: `spec of ${bytes} bytes is over the limit of ${maxSpecBytes}`, httpStatus: 413 };
    const queued = [...jobs.values()].filter((job) => job.events.length > 0 && !isTerminal(job.status.state)).length;
    const maxQueuedJobs = options.maxQueuedJobs ?? 1000;
    if (queued >= maxQueuedJobs) return { reason: `${queued} jobs are queued or running, the limit is ${maxQueuedJobs}`, httpStatus: 429 };
    return undefined;
  }

  app.get('/api/v1/jobs', (c) => c.json({ jobs: [...jobs.values()].map((job) => job.status) }));
  app.get('/api/v1/jobs/:id', (c) => withJob(c, (job) => c.json(nextStatus(job))));
  app.get('/api/v1/jobs/:id/tasks', (c) => withJob(c, (job) => c.json({ tasks: job.tasks })));
  app.get('/api/v1/jobs/:id/results', (c) => withJob(c, (job) => ndjsonResponse(job.results, chunkBytes.ndjson)));
  app.get('/api/v1/jobs/:id/logs', (c) =>
    withJob(c, (job) => (c.req.query('follow') ? followResponse(job, 'log', chunkBytes.sse) : ndjsonResponse(job.logs, chunkBytes.ndjson))),
  );
  app.get('/api/v1/jobs/:id/events', (c) =>
    withJob(c, (job) => (c.req.query('follow') ? followResponse(job, 'state', chunkBytes.sse) : c.json({ events: job.events }))),
  );
  app.get('/api/v1/jobs/:id/result', (c) =>
    withJob(c, (job) => {
      if (job.spec.reduce === undefined) return errorResponse(c, 404, 'not_found', `job ${job.status.id} has no reduce step`);
      if (job.status.state !== 'COMPLETED') return errorResponse(c, 409, 'conflict', `job ${job.status.id} is ${job.status.state}`);
      return c.json({ result: job.result ?? null });
    }),
  );
  app.post('/api/v1/jobs/:id/cancel', (c) =>
    withJob(c, (job) => {
      if (isTerminal(job.status.state)) return errorResponse(c, 409, 'CONFLICT', `job ${job.status.id} has already ended`);
      transition(job, 'CANCELLED', 'cancelled by an admin');
      return c.json(job.status);
    }),
  );
  app.post('/api/v1/jobs/:id/pause', (c) =>
    withJob(c, (job) => {
      const { state } = job.status;
      if (state !== 'PENDING' && state !== 'RUNNING') return errorResponse(c, 409, 'conflict', `job ${job.status.id} is ${state}: only PENDING or RUNNING jobs can be paused`);
      transition(job, 'PAUSED', 'paused by an admin');
      return c.json(job.status);
    }),
  );
  app.post('/api/v1/jobs/:id/resume', (c) =>
    withJob(c, (job) => {
      if (job.status.state !== 'PAUSED') return errorResponse(c, 409, 'conflict', `job ${job.status.id} is ${job.status.state}, not PAUSED`);
      transition(job, job.started ? 'RUNNING' : 'PENDING', 'resumed');
      startIfReady(job);
      return c.json(job.status);
    }),
  );
  app.get('/api/v1/workers', (c) => c.json({ workers: [sampleWorker] }));
  app.get('/api/v1/stats', (c) => c.json(sampleStats(jobs.size)));
  app.get('/metrics', (c) => c.text(`# TYPE tabgrid_workers gauge\ntabgrid_workers 1\n`));
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

  function jobById(id: string): FakeJob {
    const job = jobs.get(id);
    if (!job) throw new Error(`the fake has no job ${id}`);
    return job;
  }

  const fetch: FetchFunction = (input, init) => app.request(input, init);
  return {
    app,
    fetch,
    jobs,
    blobs,
    requests,
    /** Moves job `id` to state `to` as the coordinator would: with an event, waking followers. */
    transition: (id: string, to: JobState, reason = `moved to ${to}`) => transition(jobById(id), to, reason),
    /** Adds a line to job `id`'s log, waking followers. */
    log: (id: string, message: string, level?: LogEntry['level']) => log(jobById(id), message, level),
    /** Resolves when every job started by `runJobs` has finished. */
    settled: () => Promise.all(pendingRuns),
  };
}

export type FakeCoordinator = ReturnType<typeof createFakeCoordinator>;

async function newJob(id: string, spec: ValidJobSpec, blobs: ReadonlyMap<string, Uint8Array>): Promise<FakeJob> {
  const shares = await partition(spec.input, { blob: (sha) => Promise.resolve(blobs.get(sha)) });
  const units = shares.reduce((sum, share) => sum + share.itemCount, 0);
  const total = shares.length + (spec.reduce === undefined ? 0 : 1);
  const now = new Date(0).toISOString();
  return {
    spec,
    shares,
    status: {
      id,
      name: spec.name,
      state: 'SUBMITTED',
      priority: spec.priority,
      progress: { total, done: 0, failed: 0, running: 0 },
      items: units,
      createdAt: now,
      updatedAt: now,
      runMode: spec.runMode,
    },
    upcomingStates: [],
    results: [],
    logs: [],
    tasks: [],
    events: [],
    followers: new Set(),
    started: false,
  };
}

function nextStatus(job: FakeJob): JobStatus {
  const state = job.upcomingStates.shift();
  return state === undefined ? job.status : { ...job.status, state };
}

/**
 * `?follow=1`: Server-Sent Events of the job's state changes (`state`) or log lines (`log`),
 * the backlog first, then each new one, cut into small chunks and with a keepalive comment,
 * until the job has ended.
 */
function followResponse(job: FakeJob, kind: 'state' | 'log', chunkBytes: number): Response {
  const encoder = new TextEncoder();
  let sent = 0;
  let wake: (() => void) | undefined;
  const follower = (): void => wake?.();
  job.followers.add(follower);
  const pending = (): unknown[] => (kind === 'state' ? job.events : job.logs).slice(sent);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(': keepalive\n\n'));
    },
    async pull(controller) {
      while (pending().length === 0 && !isTerminal(job.status.state)) await new Promise<void>((resolve) => (wake = resolve));
      let text = '';
      for (const entry of pending()) {
        sent += 1;
        const id = kind === 'state' ? (entry as JobEvent).id : sent;
        text += `event: ${kind}\nid: ${id}\ndata: ${JSON.stringify(entry)}\n\n`;
      }
      const ended = isTerminal(job.status.state);
      if (ended) text += 'event: end\ndata: {}\n\n';
      const bytes = encoder.encode(text);
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      if (ended) {
        job.followers.delete(follower);
        controller.close();
      }
    },
    cancel() {
      job.followers.delete(follower);
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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
    timeouts: 0,
    tasksPerSecond: 0,
    uptimeSeconds: 1,
  };
}
