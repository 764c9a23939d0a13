import { isTerminal, predecessors, type JobSpec, type JobState } from '../../shared/index.js';
import type { FakeJob } from './fake-coordinator.js';

// How the fake coordinator runs a job in-process when asked to (`runJobs`), standing in for tabs.

type TaskModule = (input: unknown, ctx: unknown) => unknown;

async function importInline(code: JobSpec['code']): Promise<TaskModule> {
  if (typeof code !== 'string') throw new Error('the fake runs inline code only');
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  return ((await import(url)) as { default: TaskModule }).default;
}

/**
 * Runs the job's module on each item (or range) in this process, as a tab would: in dependency
 * order, with `ctx.predecessors` holding the outputs each one waits for; then its reduce step.
 */
export async function runJob(
  job: FakeJob,
  transition: (job: FakeJob, to: JobState, reason: string) => void,
  log: (job: FakeJob, message: string) => void,
): Promise<void> {
  transition(job, 'RUNNING', 'a worker took the first task');
  const ctx = { log: (...values: unknown[]) => log(job, values.map(String).join(' ')), progress: () => undefined, checkpoint: () => true, restored: undefined };
  // Items jobs call the module once per item; range and blob jobs once per task.
  const units = job.shares.flatMap((share, taskIndex) =>
    job.spec.input.partitioner === 'items' ? (share.input as unknown[]).map((input) => ({ input, taskIndex })) : [{ input: share.input, taskIndex }],
  );
  const waitsFor = predecessors(units.length, job.spec.dependencies ?? []);
  const outputs = new Array<unknown>(units.length);
  try {
    const task = await importInline(job.spec.code);
    for (const index of topologicalOrder(waitsFor)) {
      const unit = units[index]!;
      const before = (waitsFor[index] ?? []).map((from) => ({ index: from, output: outputs[from] }));
      outputs[index] = await callTask(task, unit.input, { ...ctx, predecessors: before }, unit.taskIndex);
      if (isTerminal(job.status.state)) return;
      job.results.push({ index, output: outputs[index] });
    }
    job.results.sort((a, b) => a.index - b.index);
    if (job.spec.reduce !== undefined) {
      job.result = await callTask(await importInline(job.spec.reduce), outputs, { ...ctx, predecessors: [] }, job.shares.length);
    }
  } catch (error) {
    if (isTerminal(job.status.state)) return;
    const failure = error instanceof TaskFailure ? error : new TaskFailure(error, 0);
    job.status = { ...job.status, error: { message: failure.message, taskIndex: failure.taskIndex } };
    transition(job, 'FAILED', `task ${failure.taskIndex} failed: ${failure.message}`);
    return;
  }
  if (isTerminal(job.status.state)) return;
  job.status = { ...job.status, progress: { ...job.status.progress, done: job.status.progress.total } };
  transition(job, 'COMPLETED', 'all tasks done');
}

/** Indices in an order where each comes after those it waits for (the spec was checked to be acyclic). */
function topologicalOrder(waitsFor: readonly number[][]): number[] {
  const order: number[] = [];
  const placed = new Set<number>();
  const place = (index: number): void => {
    if (placed.has(index)) return;
    placed.add(index);
    for (const before of waitsFor[index] ?? []) place(before);
    order.push(index);
  };
  waitsFor.forEach((_, index) => place(index));
  return order;
}

class TaskFailure extends Error {
  constructor(
    cause: unknown,
    readonly taskIndex: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function callTask(task: TaskModule, input: unknown, ctx: unknown, taskIndex: number): Promise<unknown> {
  try {
    return await task(input, ctx);
  } catch (error) {
    throw new TaskFailure(error, taskIndex);
  }
}
