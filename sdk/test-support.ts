import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { startCoordinator, type Coordinator, type CoordinatorOptions } from '../coordinator/index.js';
import { startNodeWorker, type NodeWorker } from '../node-worker/index.js';
import { Tabgrid } from './client.js';
import type { FetchFunction } from './rest.js';

// The SDK's and the CLI's tests run against the real coordinator: on a random port, with its
// SQLite store in a temp folder, and real Node workers to run tasks. Nothing here stands in for
// the server; a test that must stage what no real server does wraps the real fetch and says so.

/** The admin token of every test coordinator. */
export const ADMIN_TOKEN = 'sdk-test-admin-token';

/** For `expect.poll`: what a busy machine may take to get there (the default second is too short for thread starts). */
export const EVENTUALLY = { timeout: 15_000 } as const;

/** A request a client sent, as the spy on the real `fetch` saw it. */
export interface SentRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/jobs/job_x?follow=1`. */
  path: string;
  authorization: string | null;
  /** A JSON body, parsed; undefined for none. */
  json: unknown;
  /** The status it was answered with, once it was; undefined while in flight or without an answer. */
  status: number | undefined;
}

/** The specs clients sent to `POST /api/v1/jobs`, oldest first. */
export function sentSpecs(sent: readonly SentRequest[]): unknown[] {
  return sent.filter((request) => request.method === 'POST' && request.path === '/api/v1/jobs').map((request) => request.json);
}

/** How many of the job's status requests (`wait()` polls) were answered. */
export function answeredPolls(sent: readonly SentRequest[], jobId: string): number {
  return sent.filter((request) => request.method === 'GET' && request.path === `/api/v1/jobs/${jobId}` && request.status !== undefined).length;
}

/** Changes what a client's `fetch` does, to stage a failure around the real coordinator. */
export type FetchWrapper = (fetch: FetchFunction) => FetchFunction;

/** A real coordinator and clients of it. */
export interface RealGrid {
  coordinator: Coordinator;
  dataDir: string;
  /** A client with the admin token, polling every 10 ms, its requests recorded in `sent`. */
  grid: Tabgrid;
  /** Every request any client of this grid sent, oldest first. */
  sent: SentRequest[];
  /** The real `fetch`, recording into `sent`: what the CLI is given. */
  fetch: FetchFunction;
  /** Another client of this coordinator: another token, or its fetch wrapped. */
  client(options?: { token?: string; wrap?: FetchWrapper }): Tabgrid;
}

/**
 * Starts real coordinators (and workers) for a test file, and closes them all after each test,
 * or after all of the file's tests with `'all'` (for a grid started in `beforeAll`).
 */
export function useRealGrids(lifetime: 'each' | 'all' = 'each') {
  const grids = new Map<RealGrid, Partial<CoordinatorOptions>>();
  const running = new Set<Coordinator>();
  const workers: NodeWorker[] = [];
  const folders: string[] = [];
  (lifetime === 'each' ? afterEach : afterAll)(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await Promise.all([...running].map((coordinator) => coordinator.close()));
    running.clear();
    grids.clear();
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** A coordinator on a random port and a fresh data folder. */
  async function start(options: Partial<CoordinatorOptions> = {}): Promise<RealGrid> {
    const dataDir = await mkdtemp(join(tmpdir(), 'tabgrid-sdk-'));
    folders.push(dataDir);
    const coordinator = await startCoordinator({ port: 0, adminToken: ADMIN_TOKEN, ...options, dataDir });
    running.add(coordinator);
    const sent: SentRequest[] = [];
    const fetch = recordingFetch(sent);
    const client = ({ token = ADMIN_TOKEN, wrap }: { token?: string; wrap?: FetchWrapper } = {}): Tabgrid =>
      new Tabgrid({ url: coordinator.url, token, fetch: wrap ? wrap(fetch) : fetch, pollIntervalMs: 10 });
    const real: RealGrid = { coordinator, dataDir, grid: client(), sent, fetch, client };
    grids.set(real, options);
    return real;
  }

  /** Stops the coordinator, as a crash or a restart would: its port answers nothing until `restart`. */
  async function stop(real: RealGrid): Promise<void> {
    running.delete(real.coordinator);
    await real.coordinator.close();
  }

  /** (Stops and) starts the coordinator again on its data folder and port, with `changes` to its options. */
  async function restart(real: RealGrid, changes: Partial<CoordinatorOptions> = {}): Promise<void> {
    if (running.has(real.coordinator)) await stop(real);
    const options = { ...grids.get(real), ...changes };
    grids.set(real, options);
    const port = Number(new URL(real.coordinator.url).port);
    real.coordinator = await startCoordinator({ adminToken: ADMIN_TOKEN, ...options, port, dataDir: real.dataDir });
    running.add(real.coordinator);
  }

  /**
   * A Node worker joined to the grid, one task at a time (the tests read its tasks' order);
   * resolves once the coordinator has welcomed it.
   */
  async function addWorker(real: RealGrid): Promise<NodeWorker> {
    const worker = startNodeWorker({ joinUrl: real.coordinator.joinUrl, concurrency: 1 });
    workers.push(worker);
    await welcomed(worker);
    return worker;
  }

  return { start, stop, restart, addWorker };
}

function welcomed(worker: NodeWorker): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const { connection, workerId } = worker.client.snapshot();
      if (connection !== 'connected' || workerId === null) return;
      unsubscribe();
      resolve();
    };
    const unsubscribe = worker.client.subscribe(check);
    check();
  });
}

function recordingFetch(sent: SentRequest[]): FetchFunction {
  return async (input, init) => {
    const url = new URL(input);
    const request: SentRequest = {
      method: init.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: new Headers(init.headers).get('authorization'),
      json: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      status: undefined,
    };
    sent.push(request);
    const response = await globalThis.fetch(input, init);
    request.status = response.status;
    return response;
  };
}

/** Resolves the error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** Everything an async iterable yields, once it ends. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}
