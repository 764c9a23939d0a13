import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono, MiddlewareHandler } from 'hono';
import { afterEach, expect } from 'vitest';
import { WebSocket } from 'ws';
import type { z } from 'zod';
import {
  CoordinatorMessage,
  JobSpec,
  PROBLEM_CONTENT_TYPE,
  ProblemDetails,
  problemType,
  sha256Hex,
  type Capabilities,
  type ErrorCode,
  type JobProgress,
  type JobSpecInput,
  type TaskLease,
  type TaskState,
  type WorkerMessageInput,
} from '../shared/index.js';
import { createApp } from './api/app.js';
import type { ApiDeps, ApiLimits } from './api/deps.js';
import { Metrics } from './api/metrics.js';
import { expectDocumentedAnswer } from './api/test-support.js';
import { currentNumbers, StatsHistory } from './api/stats-history.js';
import { WorkerGateway, type GatewayOptions, type WorkerSession, type WorkerSocket } from './gateway/index.js';
import type { CoordinatorOptions } from './options.js';
import { startCoordinator, type Coordinator } from './server.js';
import { Scheduler, type Asker, type SchedulerOptions } from './scheduler/index.js';
import { openSqliteStore, type Store, type StoreChange, type TaskRecord } from './store/index.js';

// Helpers shared by the coordinator's tests; tsconfig.build.json keeps this file out of dist.

export const capabilities: Capabilities = { runtime: 'node', webgpu: null, userAgent: 'vitest' };

export const DOUBLE_CODE = 'export default (x) => x * 2';

/** A worker asking for a task: plain node capabilities unless `extra` adds some. */
export function asker(id: string, extra: Partial<Capabilities> = {}): Asker {
  return { id, capabilities: { ...capabilities, ...extra } };
}

/** For tests that expect a failed task to be ready again at once. */
export const NO_BACKOFF = { backoff: { initialMs: 0 } } as const;

/** A fresh temp folder per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabgrid-test-'));
    made.push(dir);
    return dir;
  };
}

/** A clock the test moves by hand: lease timing without sleeping. */
export class ManualClock {
  time = Date.UTC(2030, 0, 1);
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A valid spec with defaults filled in; `items` defaults to [1, 2, 3]. */
export function makeSpec(overrides: Partial<JobSpecInput> & { items?: unknown[]; chunkSize?: number } = {}): JobSpec {
  const { items = [1, 2, 3], chunkSize = 1, ...rest } = overrides;
  return JobSpec.parse({ name: 'test-job', code: DOUBLE_CODE, input: { items, chunkSize }, ...rest });
}

async function storeModule(store: Store, code: JobSpec['code']): Promise<string> {
  if (typeof code !== 'string') return code.blob;
  const bytes = new TextEncoder().encode(code);
  const sha = await sha256Hex(bytes);
  await store.putBlob(sha, bytes);
  return sha;
}

/** Stores the modules as blobs and submits the job, as POST /jobs does. */
export async function submitJob(scheduler: Scheduler, store: Store, overrides: Parameters<typeof makeSpec>[0] = {}) {
  const spec = makeSpec(overrides);
  const code = await storeModule(store, spec.code);
  const reduce = spec.reduce === undefined ? {} : { reduce: { blob: await storeModule(store, spec.reduce) } };
  return scheduler.submit({ ...spec, code: { blob: code }, ...reduce }, code);
}

/** A store that records every list of changes it commits (copied: the scheduler keeps changing its task objects). */
export function recording(store: Store): { store: Store; commits: StoreChange[][] } {
  const commits: StoreChange[][] = [];
  const recorder: Store = Object.assign(Object.create(store) as Store, {
    async write(changes: readonly StoreChange[]) {
      // A new job's tasks come as an iterable read once: read here, for the store and the record alike.
      const read = changes.map((change) => (change.type === 'createJob' ? { ...change, tasks: [...change.tasks] } : change));
      const answers = await store.write(read);
      commits.push(structuredClone(read));
      return answers;
    },
  });
  return { store: recorder, commits };
}

export interface Revoke {
  workerId: string;
  leaseId: string;
  reason: string;
}

/**
 * For scheduler tests: `openStore` opens a real store (closed after each test), `setUp` a
 * scheduler on one, on a manual clock, with its revokes recorded and shortcuts to lease and look.
 */
export function useSchedulers(defaults: Pick<SchedulerOptions, 'leaseMs' | 'disconnectGraceMs'>) {
  const stores: Store[] = [];
  const schedulers: { scheduler: Scheduler; store: Store }[] = [];
  /** The store open on each file, and the scheduler on it. */
  const files = new Map<string, Store>();
  afterEach(async () => {
    // Every test checks, in passing, that the progress kept as tasks move matches a count.
    for (const { scheduler } of schedulers.splice(0)) {
      for (const job of scheduler.liveJobs()) expect(job.progress()).toEqual(countedProgress(job.states(), job.reduceIndex()));
      // What it still had to commit lands before its store closes.
      await scheduler.close();
    }
    for (const store of stores.splice(0).reverse()) await store.close();
    files.clear();
  });

  /**
   * A store on `path`. A file a store of this test still has open stands for a process that
   * died without closing: that store is closed under its scheduler (what it had not committed
   * is lost, as in a crash; it lets go of the file, as the OS does of a dead process's locks).
   */
  async function openStore(path = ':memory:'): Promise<Store> {
    const crashed = files.get(path);
    if (crashed) {
      stores.splice(stores.indexOf(crashed), 1);
      schedulers.splice(0, schedulers.length, ...schedulers.filter((each) => each.store !== crashed));
      await crashed.close();
    }
    const store = await openSqliteStore(path);
    stores.push(store);
    if (path !== ':memory:') files.set(path, store);
    return store;
  }

  async function setUp(options: { path?: string; clock?: ManualClock; store?: Store } & Partial<SchedulerOptions> = {}) {
    const clock = options.clock ?? new ManualClock();
    const store = options.store ?? (await openStore(options.path));
    const scheduler = await Scheduler.open(store, { ...defaults, now: clock.now, ...options });
    schedulers.push({ scheduler, store });
    const revokes: Revoke[] = [];
    scheduler.onRevoke((workerId, leaseId, reason) => revokes.push({ workerId, leaseId, reason }));
    const lease = async (worker: string | Asker): Promise<TaskLease> => {
      const who = typeof worker === 'string' ? asker(worker) : worker;
      const granted = await scheduler.leaseNext(who);
      if (!granted) throw new Error(`no task for ${who.id}`);
      return granted;
    };
    const task = (jobId: string, index: number): TaskRecord => {
      const found = scheduler.liveJob(jobId)?.task(index);
      if (!found) throw new Error(`no live task ${jobId}/${index}`);
      return found;
    };
    return { clock, store, scheduler, revokes, lease, task };
  }

  return { openStore, setUp };
}

/** A job's progress counted task by task. */
export function countedProgress(states: readonly TaskState[], reduceIndex?: number): JobProgress {
  const mapStates = reduceIndex === undefined ? states : states.filter((_, index) => index !== reduceIndex);
  const count = (state: TaskState): number => mapStates.filter((each) => each === state).length;
  const progress: JobProgress = { total: mapStates.length, done: count('done'), failed: count('failed'), running: count('leased') };
  const reduce = reduceIndex === undefined ? undefined : states[reduceIndex];
  if (reduce !== undefined) progress.reduce = reduce === 'blocked' || reduce === 'ready' ? 'waiting' : reduce === 'leased' ? 'running' : reduce;
  return progress;
}

/** The items of an items-job lease (failing the test for another kind). */
export function itemsOf(lease: TaskLease): unknown[] {
  if (lease.input.kind !== 'items') throw new Error(`lease of a ${lease.input.kind} task, not items`);
  return lease.input.items;
}

/** The outputs DOUBLE_CODE would give for a lease of numbers. */
export const doubled = (lease: TaskLease): number[] => itemsOf(lease).map((item) => (item as number) * 2);

export interface Parts {
  store: Store;
  scheduler: Scheduler;
  gateway: WorkerGateway;
  clock: ManualClock;
  close(): Promise<void>;
}

/** A real store, scheduler and gateway, wired as server.ts wires them, on a manual clock. */
export async function openParts(
  path = ':memory:',
  options: Partial<SchedulerOptions & GatewayOptions> = {},
  /** What the scheduler writes through, around the store (`recording`); the store itself by default. */
  wrap: (store: Store) => Store = (store) => store,
): Promise<Parts> {
  const clock = new ManualClock();
  const store = await openSqliteStore(path);
  const scheduler = await Scheduler.open(wrap(store), { leaseMs: 30_000, disconnectGraceMs: 5_000, now: clock.now, ...options });
  const gateway = new WorkerGateway(scheduler, { heartbeatMs: 10_000, leaseMs: 30_000, ...options });
  return {
    store,
    scheduler,
    gateway,
    clock,
    async close() {
      await scheduler.close();
      await store.close();
    },
  };
}

type MessageOf<T extends CoordinatorMessage['type']> = Extract<CoordinatorMessage, { type: T }>;

/**
 * Messages a worker received, checked against the protocol schema, with a way to wait for one
 * (event-driven, so nothing polls or sleeps).
 */
export class ReceivedMessages {
  readonly all: CoordinatorMessage[] = [];
  /** Messages that broke the protocol schema: a test should find none. */
  readonly invalid: unknown[] = [];
  private waiters: (() => void)[] = [];

  record(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.invalid.push(text);
      return;
    }
    const parsed = CoordinatorMessage.safeParse(json);
    if (!parsed.success) this.invalid.push(json);
    else this.all.push(parsed.data);
    for (const wake of this.waiters.splice(0)) wake();
  }

  of<T extends CoordinatorMessage['type']>(type: T): MessageOf<T>[] {
    return this.all.filter((message): message is MessageOf<T> => message.type === type);
  }

  /** Resolves with the `count`-th message of this type (1-based) once it has arrived. */
  async waitFor<T extends CoordinatorMessage['type']>(type: T, count = 1, timeoutMs = 10_000): Promise<MessageOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(type)[count - 1];
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${count}. '${type}' message; received: ${JSON.stringify(this.all.map((m) => m.type))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** An in-memory socket for gateway tests: records what the gateway sends and how it closed. */
export class FakeSocket implements WorkerSocket {
  readonly received = new ReceivedMessages();
  closed: { code: number | undefined; reason: string | undefined } | undefined;

  send(text: string): void {
    this.received.record(text);
  }

  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
  }
}

/** Lets pending promise chains and one turn of the event loop run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Reads a JSON response body through a schema, so a wrong shape fails the test. */
export async function readBody<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`response ${response.status} is not JSON: ${text.slice(0, 200)}`);
  }
  return schema.parse(json);
}

/** Reads an NDJSON body line by line through a schema. */
export async function readNdjson<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>[]> {
  expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => schema.parse(JSON.parse(line)));
}

/** Asserts an error answer: status, problem details (RFC 9457) with `code`, and no stack trace in the body. */
export async function expectError(response: Response, status: number, code: ErrorCode): Promise<ProblemDetails> {
  const text = await response.clone().text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  // A stack would show as escaped newlines followed by "at", or as file positions.
  expect(text).not.toMatch(/\\n\s*at |\bat \S+ \(|\.[jt]s:\d+:\d+|node_modules/);
  const body = await readBody(response, ProblemDetails);
  expect(body).toMatchObject({ code, status, type: problemType(code) });
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

export const ADMIN_TOKEN = 'admin-secret-token';
export const JOIN_TOKEN = 'join-secret-token';

export interface Call {
  body?: BodyInit;
  json?: unknown;
  /** The admin token by default; null sends none. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** One request, in-process (`app.request`) or over the network (`fetch`). */
export type Caller = (method: string, path: string, call?: Call) => Promise<Response>;

function requestInit(method: string, { body, json, token, headers = {} }: Call, adminToken: string): RequestInit {
  const allHeaders: Record<string, string> = { ...headers };
  const bearer = token === undefined ? adminToken : token;
  if (bearer !== null) allHeaders.authorization = `Bearer ${bearer}`;
  if (json !== undefined) allHeaders['content-type'] ??= 'application/json';
  return { method, headers: allHeaders, body: json === undefined ? (body ?? null) : JSON.stringify(json) };
}

/** The REST app on test parts, as server.ts builds it, with test tokens and limits (and, given one, a worker socket handler). */
export function testApp(parts: Parts, webRoot: string, options: { limits?: Partial<ApiLimits>; store?: Store; workerSocket?: MiddlewareHandler } = {}): Hono {
  const deps: ApiDeps = {
    store: options.store ?? parts.store,
    scheduler: parts.scheduler,
    gateway: parts.gateway,
    adminToken: ADMIN_TOKEN,
    joinToken: JOIN_TOKEN,
    publicUrl: () => 'http://tabgrid.test:8080',
    limits: { maxBodyBytes: 1024 * 1024, maxSpecBytes: 512 * 1024, maxBlobBytes: 1024 * 1024, maxQueuedJobs: 1000, maxDepth: 64, ...options.limits },
    startedAt: Date.now(),
    history: new StatsHistory(() => currentNumbers(parts.scheduler, parts.gateway)),
    metrics: new Metrics(),
  };
  return createApp(deps, { webRoot, ...(options.workerSocket ? { workerSocket: options.workerSocket } : {}) });
}

// Both callers check every answer against the API description (`expectDocumentedAnswer`).
export function appCaller(app: Hono): Caller {
  return async (method, path, call = {}) => expectDocumentedAnswer(method, path, await app.request(path, requestInit(method, call, ADMIN_TOKEN)));
}

export function serverCaller(coordinator: Coordinator): Caller {
  return async (method, path, call = {}) => expectDocumentedAnswer(method, path, await fetch(`${coordinator.url}${path}`, requestInit(method, call, coordinator.adminToken)));
}

/** Tasks a test worker declares it runs at once: enough for the tests that hold several leases. */
export const TEST_CONCURRENCY = 4;

/** A worker on an in-memory socket that said hello and was welcomed. */
export async function joinFakeWorker(gateway: WorkerGateway, workerId: string, extra: Partial<Capabilities> = {}, leases: string[] = []) {
  const socket = new FakeSocket();
  const session: WorkerSession = gateway.connect(socket);
  const send = (message: WorkerMessageInput | string) => gateway.receive(session, typeof message === 'string' ? message : JSON.stringify(message));
  await send({ type: 'hello', workerId, leases, capabilities: { ...capabilities, ...extra }, concurrency: TEST_CONCURRENCY });
  const welcome = await socket.received.waitFor('welcome');
  return { socket, session, send, welcome };
}

export function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}

/** A worker over a real socket (the `ws` client). */
export class RealWorker {
  readonly received = new ReceivedMessages();
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.received.invalid.push(data);
      else this.received.record(frameText(data));
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  async opened(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    return this;
  }

  send(message: WorkerMessageInput | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  async hello(workerId?: string, leases: string[] = []) {
    this.send({ type: 'hello', capabilities, leases, concurrency: TEST_CONCURRENCY, ...(workerId === undefined ? {} : { workerId }) });
    return this.received.waitFor('welcome');
  }
}

export function joinTokenOf(coordinator: Coordinator): string {
  return new URL(coordinator.joinUrl).searchParams.get('token')!;
}

/** The worker socket URL, with the join token unless another token (or null: none) is given. */
export function socketUrl(coordinator: Coordinator, token: string | null = joinTokenOf(coordinator)): string {
  const url = new URL('/api/v1/worker', coordinator.url.replace(/^http/, 'ws'));
  if (token !== null) url.searchParams.set('token', token);
  return url.toString();
}

/** Real coordinators on random ports and real sockets to them, all closed after each test. */
export function useRealServers() {
  const newTempDir = useTempDirs();
  const running = new Set<Coordinator>();
  const sockets = new Set<WebSocket>();
  afterEach(async () => {
    for (const socket of sockets) socket.terminate();
    sockets.clear();
    await Promise.all([...running].map((coordinator) => coordinator.close()));
    running.clear();
  });

  async function start(options: Partial<CoordinatorOptions> = {}): Promise<Coordinator & { dataDir: string }> {
    const dataDir = options.dataDir ?? (await newTempDir());
    const coordinator = await startCoordinator({ port: 0, webRoot: join(dataDir, 'no-web'), ...options, dataDir });
    running.add(coordinator);
    return Object.assign(coordinator, { dataDir });
  }

  async function stop(coordinator: Coordinator): Promise<void> {
    running.delete(coordinator);
    await coordinator.close();
  }

  /** A socket closed after the test. */
  function track(socket: WebSocket): WebSocket {
    sockets.add(socket);
    return socket;
  }

  const connectWorker = (coordinator: Coordinator): Promise<RealWorker> => new RealWorker(track(new WebSocket(socketUrl(coordinator)))).opened();

  return { start, stop, track, connectWorker, newTempDir, running };
}
