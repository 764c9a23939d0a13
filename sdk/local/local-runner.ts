import type { AttemptEnd, ContextExtras, CheckpointAck, CheckpointEnvelope, TaskFunction } from '../../shared/index.js';
import { decideRetry, isGangLoss, isOpenTask, outputCountError, type JobError, type JobSpec, type TaskLease } from '../../shared/index.js';
import { blobBytes, BlobFetchError, cpuTensorProvider, TaskTensors, describeFailure, runTask, WasmModules, type BlobReader, type TaskFailure, type TaskOutcome, type TaskPorts, type TaskRun } from '../../worker/index.js';
import { sleep } from '../sleep.js';
import type { BlobFetcher } from './blobs.js';
import { runGangAttempt } from './local-gang.js';
import { taskInputOf } from './local-plan.js';
import type { LocalJobRecord, LocalTaskRecord } from './local-record.js';

/** A module a local job runs, loaded on first use. */
export interface LocalModule {
  sha256: string;
  load(): Promise<TaskFunction>;
}

/** What {@link executeLocally} runs and how. */
export interface LocalExecution {
  spec: JobSpec;
  record: LocalJobRecord;
  code: LocalModule;
  reduce: LocalModule | undefined;
  readBlob: BlobFetcher;
  debug: boolean;
  maxCheckpointBytes: number;
}

/**
 * Runs a local job's tasks one at a time, in topological order, each attempt with the same task
 * runtime a worker uses. An attempt that fails is judged by the job rules the coordinator applies
 * (`decideRetry`): tried again after the spec's backoff until `retry.maxAttempts`, then the job
 * fails with the task's message. A gang job's attempt runs every rank of the gang at once, in
 * this process (see `runGangAttempt`). Ends the record's job in any case.
 */
export async function executeLocally(execution: LocalExecution): Promise<void> {
  const { record } = execution;
  const cancelled = record.cancelling.signal;
  record.transition('RUNNING', 'running locally, one task at a time');
  const unitOutputs: unknown[] = new Array<unknown>(record.plan.units);
  for (const index of record.plan.order) {
    await record.unpaused();
    const task = record.tasks[index]!;
    const failed = cancelled.aborted ? undefined : await runWithRetries(execution, task, unitOutputs);
    if (cancelled.aborted) return end(record, 'CANCELLED', 'cancelled');
    if (failed) return end(record, 'FAILED', failed.reason, failed.jobError);
    task.outputs!.forEach((output, offset) => (unitOutputs[task.firstItem + offset] = output));
    markReady(record, index);
  }
  record.transition('COMPLETED', 'all tasks done');
}

/** Ends a job that did not complete: its open tasks are cancelled, as the coordinator cancels them. */
function end(record: LocalJobRecord, state: 'FAILED' | 'CANCELLED', reason: string, error?: JobError): void {
  for (const task of record.tasks) if (isOpenTask(task.state)) task.state = 'cancelled';
  record.transition(state, reason, error);
}

function markReady(record: LocalJobRecord, done: number): void {
  for (const next of record.plan.graph.taskSuccessors[done] ?? []) {
    const waitsFor = record.plan.graph.taskPredecessors[next] ?? [];
    if (waitsFor.every((index) => record.tasks[index]!.state === 'done')) record.tasks[next]!.state = 'ready';
  }
}

/** How a local job fails: the job's error and its FAILED event's reason, as the job rules give them. */
interface LocalFailure {
  jobError: JobError;
  reason: string;
}

/** Runs a task until an attempt succeeds (undefined) or the job rules fail the job (how). */
async function runWithRetries(execution: LocalExecution, task: LocalTaskRecord, unitOutputs: unknown[]): Promise<LocalFailure | undefined> {
  const { record, spec } = execution;
  for (;;) {
    task.state = 'leased';
    task.attempts += 1;
    record.touch();
    const outcome = checkOutputs(task, await runAttempt(execution, task, unitOutputs));
    if (record.cancelling.signal.aborted) return undefined;
    if (outcome.ok) {
      task.outputs = outcome.outputs;
      task.state = 'done';
      record.touch();
      return undefined;
    }
    // One worker, the caller's own process, which trusts itself: its failures fail the job.
    const decision = decideRetry(task, { ...spec.retry, distinctWorkers: 1 }, attemptEnd(spec, outcome.error));
    Object.assign(task, { failures: decision.failures, lapses: decision.lapses, failedOn: decision.failedOn, lapsedOn: decision.lapsedOn, error: decision.error });
    task.state = decision.type === 'retry' ? 'ready' : 'failed';
    record.touch();
    record.log('warn', task.index, `attempt ${task.attempts} failed: ${outcome.error.message}`);
    if (decision.type === 'fail-job') return decision;
    await sleep(decision.delayMs, record.cancelling.signal).catch(() => undefined);
  }
}

/**
 * How a failed attempt counts: a failure, or, for an elastic gang whose ranks failed only because
 * a member was lost, a lapse (the coordinator re-forms such a gang). A timeout is the task
 * runtime's own, as a worker reports it: a failure with its message.
 */
function attemptEnd(spec: JobSpec, failure: TaskFailure): AttemptEnd {
  if (isGangLoss(failure, spec)) return { type: 'gang-lost', reason: `gang re-forming: ${failure.message}` };
  return { type: 'threw', error: failure, workerId: LOCAL_WORKER };
}

/** The one worker of a local run, as the job rules name it. */
const LOCAL_WORKER = 'local';

async function runAttempt(execution: LocalExecution, task: LocalTaskRecord, unitOutputs: unknown[]): Promise<TaskOutcome> {
  const { record, spec } = execution;
  const module = task.reduce && execution.reduce ? execution.reduce : execution.code;
  const lease: TaskLease = {
    type: 'lease',
    leaseId: `${record.id}/${task.index}/${task.attempts}`,
    jobId: record.id,
    jobName: record.name,
    taskIndex: task.index,
    attempt: task.attempts,
    code: module.sha256,
    input: taskInputOf(spec, record.plan, task, unitOutputs),
  };
  if (task.checkpoint !== undefined) lease.restored = task.checkpoint;
  if (execution.debug) lease.debug = true;
  const { timeoutMs } = spec.retry;
  if (timeoutMs !== undefined) lease.timeoutMs = timeoutMs;

  // In-process code cannot be stopped: a timed-out or cancelled attempt is abandoned, and the
  // runtime no longer hears it.
  const attempt = new AbortController();
  const cancel = (): void => attempt.abort({ message: 'the job was cancelled' });
  record.cancelling.signal.addEventListener('abort', cancel, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => attempt.abort({ message: `task timed out after ${timeoutMs} ms` }), timeoutMs);
  try {
    const fn = await module.load();
    const run: TaskRun = { lease, ports: localPorts(execution, task), signal: attempt.signal, extras: blobExtras(execution) };
    return await (spec.gang ? runGangAttempt(fn, run, spec.gang) : runAlone(fn, run));
  } catch (error) {
    return { ok: false, error: describeFailure(error) };
  } finally {
    clearTimeout(timer);
    record.cancelling.signal.removeEventListener('abort', cancel);
  }
}

/** A task's attempt on one worker; `ctx.tensor` is the CPU reference, made if the task reads it, freed when it ends. */
async function runAlone(fn: TaskFunction, run: TaskRun): Promise<TaskOutcome> {
  const tensors = new TaskTensors(cpuTensorProvider());
  try {
    return await runTask(tensors.guard(fn), { ...run, extras: tensors.extras(run.extras ?? {}) });
  } finally {
    tensors.end();
  }
}

/** `ctx.wasm` and `ctx.blob`, as a worker has them, over the job's blobs. */
function blobExtras(execution: LocalExecution): ContextExtras {
  const readBlob: BlobReader = async (sha256) => {
    const bytes = await execution.readBlob(sha256);
    if (!bytes) throw new BlobFetchError(`no blob ${sha256}`);
    return bytes;
  };
  return { wasm: new WasmModules().instantiator(readBlob), blob: blobBytes(readBlob) };
}

function localPorts(execution: LocalExecution, task: LocalTaskRecord): TaskPorts {
  return {
    log: (level, message) => execution.record.log(level, task.index, message),
    progress: () => {},
    checkpoint: (envelope) => Promise.resolve(storeCheckpoint(task, envelope, execution.maxCheckpointBytes)),
    readShard: async (shard) => {
      const bytes = await execution.readBlob(shard.blob);
      if (!bytes) throw new BlobFetchError(`no blob ${shard.blob}`);
      return bytes.slice(shard.offset, shard.offset + shard.length);
    },
  };
}

/** Keeps a checkpoint as the coordinator would: a JSON copy, refused past the size limit. */
function storeCheckpoint(task: LocalTaskRecord, envelope: CheckpointEnvelope, limit: number): CheckpointAck {
  let json: string;
  try {
    json = JSON.stringify(envelope);
  } catch (error) {
    return { status: 'refused', reason: `the checkpoint is not JSON: ${describeFailure(error).message}` };
  }
  const size = Buffer.byteLength(json);
  if (size > limit) {
    return { status: 'refused', reason: `checkpoint of ${size} bytes is over the limit of ${limit} (413); the last stored one stands` };
  }
  task.checkpoint = JSON.parse(json) as unknown;
  return { status: 'stored' };
}

/** Outputs as a worker would report them: JSON copies, one per item. */
function checkOutputs(task: LocalTaskRecord, outcome: TaskOutcome): TaskOutcome {
  if (!outcome.ok) return outcome;
  let outputs: unknown[];
  try {
    outputs = JSON.parse(JSON.stringify(outcome.outputs)) as unknown[];
  } catch (error) {
    return { ok: false, error: { message: `task outputs are not JSON-serialisable: ${describeFailure(error).message}` } };
  }
  const wrongCount = outputCountError(outputs.length, task.itemCount);
  return wrongCount === undefined ? { ok: true, outputs } : { ok: false, error: { message: wrongCount } };
}
