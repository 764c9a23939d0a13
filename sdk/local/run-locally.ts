import { InvalidSpecError, sha256Hex, type JobSpec, type JobSpecInput, type LogEntry } from '../../shared/index.js';
import { loadTaskFunction } from '../../worker/index.js';
import { SpecError } from '../errors.js';
import { importModuleSource } from '../../node-worker/index.js';
import { validateSpec } from '../validate-spec.js';
import { cachedBlobReader, type BlobFetcher } from './blobs.js';
import { LocalJob } from './local-job.js';
import { planJob } from './local-plan.js';
import { LocalJobRecord } from './local-record.js';
import { executeLocally, type LocalModule } from './local-runner.js';

/** Options of {@link runLocally}. */
export interface LocalRunOptions {
  /**
   * Blob bytes by SHA-256, for blob inputs and `{ blob }` code; looked up before `fetchBlob`.
   * @example { blobs: new Map([[sha256, bytes]]) }
   */
  blobs?: ReadonlyMap<string, Uint8Array>;
  /** Reads blobs `blobs` does not have (`grid.submit` passes one that asks the coordinator). */
  fetchBlob?: BlobFetcher;
  /** Called with every log line as it is written. */
  onLog?: (entry: LogEntry) => void;
  /**
   * Print every log line to the console too.
   * @default false
   */
  console?: boolean;
  /**
   * Run tasks as a debug worker does: debug log lines for everything, and a `debugger` stop before
   * each call while an inspector is attached (`node --inspect`).
   * @default false
   */
  debug?: boolean;
  /**
   * Largest checkpoint kept, as JSON bytes; a larger one is refused, as by the coordinator.
   * @default 1048576
   */
  maxCheckpointBytes?: number;
}

/**
 * Runs a job in this process: validated, partitioned and ordered as a coordinator would, its
 * tasks run one at a time with the same task runtime and `ctx` as in a worker (logs kept,
 * checkpoints kept in memory, failed attempts retried up to `retry.maxAttempts`), then the reduce
 * step. Resolves once the job is under way, with a handle shaped like a remote `Job`.
 * @throws {SpecError} for a spec that is invalid or cannot run (a dependency cycle, a missing blob)
 * @example
 * const job = await runLocally({ name: 'sum', code: 'export default (x) => x * x', input: { items: [1, 2, 3] },
 *   reduce: 'export default (outputs) => outputs.reduce((a, b) => a + b, 0)' });
 * await job.wait();
 * console.log(await job.result()); // 14
 */
export async function runLocally(spec: JobSpecInput, options: LocalRunOptions = {}): Promise<LocalJob> {
  const valid = validateSpec(spec);
  const readBlob = cachedBlobReader(options.blobs, options.fetchBlob);
  const plan = await asSpecError(() => planJob(valid, readBlob));
  const code = await moduleOf(valid.code, 'code', readBlob);
  const reduce = valid.reduce === undefined ? undefined : await moduleOf(valid.reduce, 'reduce', readBlob);
  const record = new LocalJobRecord(localJobId(), valid.name, plan, valid.priority, logSink(options));
  record.transition('PENDING', 'accepted for a local run');
  if (valid.dependsOn?.length) record.log('warn', null, `dependsOn is ignored by a local run: ${valid.dependsOn.join(', ')}`);
  executeLocally({
    spec: valid,
    record,
    code,
    reduce,
    readBlob,
    debug: options.debug ?? false,
    maxCheckpointBytes: options.maxCheckpointBytes ?? 1024 * 1024,
  }).catch((error: unknown) => {
    // A bug of the runner, not of the task: still end the job, so nobody waits forever.
    const message = `the local runner failed: ${error instanceof Error ? error.message : String(error)}`;
    record.transition('FAILED', message, { message });
  });
  return new LocalJob(record);
}

async function moduleOf(code: JobSpec['code'], field: string, readBlob: BlobFetcher): Promise<LocalModule> {
  let source: string;
  if (typeof code === 'string') source = code;
  else {
    const bytes = await readBlob(code.blob);
    const issue = { path: `${field}.blob`, message: `no blob ${code.blob}` };
    if (!bytes) throw new SpecError(`invalid job spec: ${issue.path}: ${issue.message}`, [issue]);
    source = new TextDecoder().decode(bytes);
  }
  let loaded: ReturnType<LocalModule['load']> | undefined;
  return {
    sha256: await sha256Hex(source),
    load: () => (loaded ??= loadTaskFunction(importModuleSource, source)),
  };
}

async function asSpecError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof InvalidSpecError)) throw error;
    throw new SpecError(error.message, [{ path: error.path, message: error.reason }]);
  }
}

function localJobId(): string {
  return `local_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

function logSink(options: LocalRunOptions): (entry: LogEntry) => void {
  return (entry) => {
    options.onLog?.(entry);
    if (options.console) printLog(entry);
  };
}

function printLog(entry: LogEntry): void {
  const line = `${entry.taskIndex === null ? '[job]' : `[task ${entry.taskIndex}]`} ${entry.message}`;
  const print = { debug: console.debug, info: console.log, warn: console.warn, error: console.error }[entry.level];
  print(line);
}
