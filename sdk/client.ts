import { Health, JobPage, jobPagePath, JobStatus, JoinUrl, Stats, StoredBlob, WorkerList as WorkerListBody, WorkerReputation, sha256Hex } from '../shared/index.js';
import type { JobSpecInput, JobState, WorkerStatus } from '../shared/index.js';
import { ResponseError, TabgridError } from './errors.js';
import { DEFAULT_MAX_OUTAGE_MS, Job, rethrowRejection } from './job.js';
import type { LocalJob } from './local/index.js';
import type { ReadOptions } from './job.js';
import { collectOutputs, mapSpec } from './map.js';
import { multiplyOnGrid, type MatmulOptions, type Matrix } from './matmul/index.js';
import type { MapOptions } from './map.js';
import type { TaskFunction } from '../shared/index.js';
import { OutageBudget, RestClient } from './rest.js';
import { sleep } from './sleep.js';
import type { FetchFunction } from './rest.js';
import { validateSpec } from './validate-spec.js';

/** Options of `new Tabgrid()`. */
export interface TabgridOptions {
  /**
   * The coordinator's base URL, as printed by `tabgrid serve`; or several coordinators sharing
   * one database (one active, the others standing by): the client asks the active one.
   * @example 'http://127.0.0.1:8080'
   * @example ['http://grid-a:8080', 'http://grid-b:8080']
   */
  url: string | readonly string[];
  /**
   * The admin token (`admin token:` line of `tabgrid serve`, or `TABGRID_ADMIN_TOKEN`).
   * @example process.env.TABGRID_TOKEN
   */
  token: string;
  /**
   * The `fetch` to send requests with.
   * @default globalThis.fetch
   * @example { fetch: (input, init) => app.request(input, init) } // an in-process Hono app
   */
  fetch?: FetchFunction;
  /**
   * How often `wait()` and `map()` ask for a job's status.
   * @default 500
   */
  pollIntervalMs?: number;
}


/**
 * A client of one tabgrid coordinator.
 * @example
 * import { Tabgrid } from 'tabgrid/sdk';
 *
 * const grid = new Tabgrid({ url: 'http://127.0.0.1:8080', token: process.env.TABGRID_TOKEN ?? '' });
 * const squares = await grid.map([1, 2, 3], (x: number) => x * x); // [1, 4, 9]
 */
export class Tabgrid {
  readonly #rest: RestClient;
  readonly #pollIntervalMs: number;

  constructor(options: TabgridOptions) {
    const urls = typeof options.url === 'string' ? [options.url] : options.url;
    if (urls.length === 0) throw new TabgridError('url is required: the coordinator URL printed by `tabgrid serve`');
    for (const url of urls) if (!/^https?:\/\//i.test(url)) throw new TabgridError(`url must start with http:// or https://, got "${url}"`);
    if (!options.token) throw new TabgridError('token is required: the admin token printed by `tabgrid serve`');
    const pollIntervalMs = options.pollIntervalMs ?? 500;
    if (!(pollIntervalMs > 0)) throw new TabgridError(`pollIntervalMs must be > 0, got ${pollIntervalMs}`);
    const fetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#rest = new RestClient(urls, options.token, fetchFunction);
    this.#pollIntervalMs = pollIntervalMs;
  }

  /**
   * Validates a job spec here (throwing `SpecError` naming each bad field), then submits it.
   * With an `idempotencyKey` the coordinator has seen before, it resolves the job made then
   * (`job.existing` is true) instead of a new one. Through an outage of the coordinator (5xx
   * answers once it answered, or a standby's or a load balancer's 502, 503 or 504) it tries again
   * for up to 2 minutes under one idempotency key (made here when the spec has none), so a job is
   * made once. A job refused by policy (spec too large,
   * queue full) rejects with `JobRejectedError`; it is recorded as REJECTED.
   * @example
   * const job = await grid.submit({
   *   name: 'squares',
   *   code: 'export default (x) => x * x',
   *   input: { items: [1, 2, 3], chunkSize: 2 },
   * });
   * console.log(job.id);
   */
  submit(spec: JobSpecInput & { runMode: 'local' }, options?: ReadOptions): Promise<LocalJob>;
  submit(spec: JobSpecInput, options?: ReadOptions): Promise<Job>;
  async submit(spec: JobSpecInput, options: ReadOptions = {}): Promise<Job | LocalJob> {
    // `runMode: 'local'` runs in this process (see `runLocally`); only `{ blob }` code and inputs are read from the coordinator.
    if (spec.runMode === 'local') {
      // Loaded on demand: the local runner brings the whole task runtime, which a client that only
      // talks to a coordinator (every CLI read command) has no use for.
      const local = await import('./local/index.js');
      return local.runLocally(spec, { fetchBlob: local.storedBlobFetcher(this.#rest) });
    }
    const valid = validateSpec(spec);
    // Tried again through an outage (a failover, a balancer that lost its backend) under one
    // idempotency key, made here when the spec has none: a retry whose first try did make the job
    // gets that job, never a second one.
    const request = { method: 'POST', json: { ...valid, idempotencyKey: valid.idempotencyKey ?? `sdk-${crypto.randomUUID()}` }, signal: options.signal } as const;
    const outage = new OutageBudget(DEFAULT_MAX_OUTAGE_MS, this.#pollIntervalMs);
    for (;;) {
      let failure: unknown;
      try {
        const status = await this.#rest.json(JobStatus, '/api/v1/jobs', request);
        // A job found by a key made here was made by an earlier try of this call: it is new.
        return new Job(status.id, this.#rest, this.#pollIntervalMs, status.existing === true && valid.idempotencyKey !== undefined);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        failure = error;
      }
      let delay: number;
      try {
        delay = outage.retryDelay(failure);
      } catch {
        rethrowRejection(failure);
      }
      await sleep(delay, options.signal);
    }
  }

  /**
   * A handle on a job by id; asks nothing until one of its methods is called.
   * @example const { state } = await grid.job('j_123').status();
   */
  job(id: string): Job {
    return new Job(id, this.#rest, this.#pollIntervalMs);
  }

  /**
   * The jobs the coordinator knows, oldest first, with their state and progress: all of them, or
   * those in `state` and with `name` in their name (any case). Read a page at a time.
   * @example const running = await grid.jobs({ state: ['RUNNING', 'PENDING'] });
   */
  async jobs(options: ReadOptions & { state?: JobState | JobState[]; name?: string } = {}): Promise<JobStatus[]> {
    const state = options.state === undefined ? undefined : [options.state].flat();
    const all: JobStatus[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#rest.json(JobPage, jobPagePath({ cursor, state, name: options.name }), { signal: options.signal });
      all.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }

  /**
   * The volunteer tabs connected now, with their capabilities and current tasks.
   * @example console.log((await grid.workers()).length, 'tabs');
   */
  async workers(options: ReadOptions = {}): Promise<WorkerStatus[]> {
    return (await this.#rest.json(WorkerListBody, '/api/v1/workers', { signal: options.signal })).workers;
  }

  /**
   * Every quarantined worker identity (connected or not), with its record: results that agreed
   * with their quorum and that did not, and why it was quarantined.
   * @example for (const worker of await grid.quarantined()) console.log(worker.id, worker.note);
   */
  async quarantined(options: ReadOptions = {}): Promise<WorkerReputation[]> {
    return (await this.#rest.json(WorkerListBody, '/api/v1/workers', { signal: options.signal })).quarantined;
  }

  /**
   * Quarantines a worker: it gets no more work, its replicas are revoked and the results it gave
   * alone are checked again. Answers its record.
   * @example await grid.quarantine('w_k3m9...', { reason: 'wrong results' });
   */
  quarantine(workerId: string, options: ReadOptions & { reason?: string } = {}): Promise<WorkerReputation> {
    const json = options.reason === undefined ? {} : { reason: options.reason };
    return this.#rest.json(WorkerReputation, `/api/v1/workers/${encodeURIComponent(workerId)}/quarantine`, { method: 'POST', json, signal: options.signal });
  }

  /**
   * Releases a quarantined worker: it gets work again, checked until it earns trust. Answers its record.
   * @example await grid.release('w_k3m9...');
   */
  release(workerId: string, options: ReadOptions & { reason?: string } = {}): Promise<WorkerReputation> {
    const json = options.reason === undefined ? {} : { reason: options.reason };
    return this.#rest.json(WorkerReputation, `/api/v1/workers/${encodeURIComponent(workerId)}/release`, { method: 'POST', json, signal: options.signal });
  }

  /**
   * Counters of the grid: jobs and tasks by state, workers, queue depth, retries.
   * @example const { workers, queueDepth } = await grid.stats();
   */
  stats(options: ReadOptions = {}): Promise<Stats> {
    return this.#rest.json(Stats, '/api/v1/stats', { signal: options.signal });
  }

  /**
   * The grid's counters in the Prometheus text format (`GET /metrics`), for a scraper or a look.
   * @example console.log(await grid.metrics()); // tabgrid_jobs{state="RUNNING"} 1 ...
   */
  async metrics(options: ReadOptions = {}): Promise<string> {
    return (await this.#rest.send('/metrics', { signal: options.signal })).text();
  }

  /**
   * Resolves when the coordinator answers its health check.
   * @example await grid.health(); // { ok: true, role: 'active' }
   */
  health(options: ReadOptions = {}): Promise<Health> {
    return this.#rest.json(Health, '/api/v1/health', { signal: options.signal });
  }

  /**
   * The URL volunteers open to join the grid with their tab.
   * @example console.log(`open ${await grid.joinUrl()} to help`);
   */
  async joinUrl(options: ReadOptions = {}): Promise<string> {
    return (await this.#rest.json(JoinUrl, '/api/v1/join-url', { signal: options.signal })).url;
  }

  /**
   * Stores bytes (or text, as UTF-8) on the coordinator and resolves their SHA-256,
   * to use as `{ blob: sha256 }` in a spec.
   * @example
   * const sha256 = await grid.putBlob(moduleSource);
   * await grid.submit({ name: 'big', code: { blob: sha256 }, input: { items } });
   */
  async putBlob(data: Uint8Array | string, options: ReadOptions = {}): Promise<string> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
    const sha256 = await sha256Hex(bytes);
    const path = `/api/v1/blobs/${sha256}`;
    const stored = await this.#rest.json(StoredBlob, path, { method: 'PUT', bytes, signal: options.signal });
    if (stored.sha256 !== sha256) {
      throw new ResponseError(`the coordinator stored the blob as ${stored.sha256}, expected ${sha256}`, this.#rest.urlOf(path));
    }
    return stored.sha256;
  }

  /**
   * Runs `fn` on every item in volunteers' tabs and resolves the outputs in input order.
   * Only `fn`'s source is sent: it must be self-contained, using its arguments and globals
   * but no variables or imports from around it. Arrow functions and function expressions,
   * async or not, are fine; method shorthand throws. Rejects with `JobFailedError` carrying
   * the task's error message when the job fails. No items resolve `[]` without a job.
   * @example
   * const lengths = await grid.map(['a', 'bb', 'ccc'], async (word: string) => word.length, { chunkSize: 2 });
   * // [1, 2, 3]
   */
  async map<I, O>(items: readonly I[], fn: TaskFunction<I, O>, options: MapOptions = {}): Promise<Awaited<O>[]> {
    const spec = mapSpec(items, fn, options);
    // A job needs items; with none there is nothing to run (the function was still checked above).
    if (items.length === 0) return [];
    const signalOption = options.signal ? { signal: options.signal } : {};
    const job = await this.submit(spec, signalOption);
    await job.wait(options.timeoutMs === undefined ? signalOption : { ...signalOption, timeoutMs: options.timeoutMs });
    return (await collectOutputs(job, items.length, signalOption)) as Awaited<O>[];
  }

  /**
   * `a · b` computed in volunteers' tabs: the product is cut into `tile × tile` tiles, one task
   * each, which reads the rows of `a` and columns of `b` it needs (stored here as blobs) and
   * multiplies them on the tab's tensor core (WebGPU, WASM or CPU, as the tab chose). Resolves
   * the product, row-major float32. Edge tiles are smaller where a side is not a multiple of
   * `tile`. With `{ local: true }` it runs in this process instead, on the CPU reference.
   * Rejects with `JobFailedError` when a tile fails on every attempt.
   * @example
   * const a = { rows: 1024, cols: 512, data: new Float32Array(1024 * 512).fill(1) };
   * const b = { rows: 512, cols: 256, data: new Float32Array(512 * 256).fill(2) };
   * const c = await grid.matmul(a, b, { tile: 256 }); // { rows: 1024, cols: 256, data } with every entry 1024
   */
  matmul(a: Matrix, b: Matrix, options: MatmulOptions = {}): Promise<Matrix> {
    return multiplyOnGrid({ putBlob: (bytes, read) => this.putBlob(bytes, read), submit: (spec, read) => this.submit(spec, read) }, a, b, options);
  }
}
