import type { JobSpecInput } from '../shared/index.js';

/**
 * Jobs the admin panel's tests and screenshots show: one that runs for a while, a DAG with a
 * reduce step, a gang that waits, one that fails (and completes when its failed tasks are retried), and one
 * that waits for another job.
 */

/** Doubles each item slowly (a log line and a checkpoint each), so the job is seen running. */
export function slowJob(items: number, delayMs = 400): JobSpecInput {
  return {
    name: 'slow doubles',
    code: `export default async (x, ctx) => {
  ctx.log('doubling', x);
  await ctx.checkpoint({ at: x });
  await new Promise((resolve) => setTimeout(resolve, ${delayMs}));
  return x * 2;
}`,
    input: { items: Array.from({ length: items }, (_, index) => index) },
  };
}

/** Eight items where each waits for earlier ones, and a reduce step that sums the outputs. */
export function dagJob(): JobSpecInput {
  return {
    name: 'diamond pipeline',
    code: 'export default (x, ctx) => { ctx.log("stage", x); return x + (ctx.predecessors ?? []).reduce((sum, p) => sum + p.output, 0); }',
    input: { items: [1, 2, 3, 4, 5, 6, 7, 8] },
    dependencies: [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [3, 4],
      [3, 5],
      [4, 6],
      [5, 6],
      [6, 7],
    ],
    reduce: 'export default (outputs) => outputs.reduce((sum, value) => sum + value, 0)',
  };
}

/** A gang of two ranks that each log their rank and wait two minutes: seen running, then cancelled. */
export function waitingGangJob(): JobSpecInput {
  return {
    name: 'waiting gang',
    code: 'export default async (x, ctx) => { ctx.log("rank", ctx.rank, "of", ctx.size); await new Promise((resolve) => setTimeout(resolve, 120000)); return ctx.rank; }',
    input: { items: [1] },
    gang: { size: 2 },
  };
}

export const CURSED = 'item three is cursed';

/** Item 3 throws on its first attempt (with a stack), so the job fails; a retry completes it. */
export function failingJob(): JobSpecInput {
  return {
    name: 'cursed items',
    code: `function check(x, attempt) {
  if (x === 3 && attempt === 1) throw new Error('${CURSED}');
}
export default (x, ctx) => {
  check(x, ctx.task.attempt);
  return x * 10;
}`,
    input: { items: [1, 2, 3, 4] },
    retry: { maxAttempts: 1, distinctWorkers: 1 },
  };
}

/** A job that runs only after `jobId` completes. */
export function dependentJob(jobId: string): JobSpecInput {
  return { name: 'after the pipeline', code: 'export default (x) => -x', input: { items: [1, 2, 3] }, dependsOn: [jobId] };
}
