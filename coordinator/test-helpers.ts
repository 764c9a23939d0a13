import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import type { z } from 'zod';
import {
  CoordinatorMessage,
  ErrorBody,
  JobSpec,
  sha256Hex,
  type Capabilities,
  type JobSpecInput,
  type TaskLease,
} from '../shared/index.js';
import { WorkerGateway, type GatewayOptions, type WorkerSocket } from './gateway/index.js';
import { Scheduler, type SchedulerOptions } from './scheduler/index.js';
import { openSqliteStore, type Store, type TaskRecord } from './store/index.js';

// Helpers shared by the coordinator's tests; tsconfig.build.json keeps this file out of dist.

export const capabilities: Capabilities = { runtime: 'node', webgpu: null, userAgent: 'vitest' };

export const DOUBLE_CODE = 'export default (x) => x * 2';

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

/** Stores the code blob and submits the job, as POST /jobs does. */
export async function submitJob(scheduler: Scheduler, store: Store, overrides: Parameters<typeof makeSpec>[0] = {}) {
  const spec = makeSpec(overrides);
  const code = typeof spec.code === 'string' ? spec.code : DOUBLE_CODE;
  const bytes = new TextEncoder().encode(code);
  const sha = await sha256Hex(bytes);
  await store.putBlob(sha, bytes);
  return scheduler.submit(spec, sha);
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
  afterEach(async () => {
    for (const store of stores.splice(0).reverse()) await store.close();
  });

  async function openStore(path = ':memory:'): Promise<Store> {
    const store = await openSqliteStore(path);
    stores.push(store);
    return store;
  }

  async function setUp(options: { path?: string; clock?: ManualClock; store?: Store } & Partial<SchedulerOptions> = {}) {
    const clock = options.clock ?? new ManualClock();
    const store = options.store ?? (await openStore(options.path));
    const scheduler = await Scheduler.open(store, { ...defaults, now: clock.now, ...options });
    const revokes: Revoke[] = [];
    scheduler.onRevoke((workerId, leaseId, reason) => revokes.push({ workerId, leaseId, reason }));
    const lease = async (workerId: string): Promise<TaskLease> => {
      const granted = await scheduler.leaseNext(workerId);
      if (!granted) throw new Error(`no task for ${workerId}`);
      return granted;
    };
    const task = (jobId: string, index: number): TaskRecord => {
      const found = scheduler.liveJob(jobId)?.tasks[index];
      if (!found) throw new Error(`no live task ${jobId}/${index}`);
      return found;
    };
    return { clock, store, scheduler, revokes, lease, task };
  }

  return { openStore, setUp };
}

/** The outputs DOUBLE_CODE would give for a lease of numbers. */
export const doubled = (lease: TaskLease): number[] => lease.items.map((item) => (item as number) * 2);

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
): Promise<Parts> {
  const clock = new ManualClock();
  const store = await openSqliteStore(path);
  const scheduler = await Scheduler.open(store, { leaseMs: 30_000, disconnectGraceMs: 5_000, now: clock.now, ...options });
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

/** Asserts an error answer: status, `{ error: { code, message } }`, and no stack trace in the body. */
export async function expectError(response: Response, status: number, code: string): Promise<ErrorBody['error']> {
  const text = await response.clone().text();
  expect(response.status, text).toBe(status);
  // A stack would show as escaped newlines followed by "at", or as file positions.
  expect(text).not.toMatch(/\\n\s*at |\bat \S+ \(|\.[jt]s:\d+:\d+|node_modules/);
  const body = await readBody(response, ErrorBody);
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}
