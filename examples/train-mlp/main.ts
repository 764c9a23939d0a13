/**
 * Data-parallel training on a gang of tabs: a small MLP whose ranks each take a shard of the data
 * and average their gradients with `ctx.comm.allReduce` every step. Prints the gang's loss curve
 * beside the same training run in this one process; exits with 1 when they differ.
 *
 *   npm start                                   # in another terminal; note the admin token
 *   npx tsx examples/train-mlp/main.ts --url http://127.0.0.1:8080 --token <admin token> --ranks 3
 *   npx tsx examples/train-mlp/main.ts --local  # no coordinator: the SDK's local runner
 *
 * Then open the join URL in as many tabs as ranks: the gang starts once they are all there.
 */
import { parseArgs } from 'node:util';
// In your own project: import { Tabgrid, runLocally, ... } from 'tabgrid/sdk';
import { type Job, type JobSpecInput, type LocalJob, Tabgrid, isJobFailedError, isTimeoutError, runLocally } from '../../sdk/index.js';
import { DEMO_CONFIG, LOSS_TOLERANCE, compareLosses, readTrainSource, trainInOneProcess } from './reference.js';
import type { TrainConfig, TrainResult } from './train.js';

interface Options {
  readonly url: string;
  readonly token: string;
  readonly local: boolean;
  readonly ranks: number;
  readonly config: TrainConfig;
  readonly tolerance: number;
  readonly timeoutMs: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: process.env['TABGRID_URL'] ?? 'http://127.0.0.1:8080' },
      token: { type: 'string', default: process.env['TABGRID_TOKEN'] ?? '' },
      local: { type: 'boolean', default: false },
      ranks: { type: 'string', default: '3' },
      samples: { type: 'string', default: String(DEMO_CONFIG.samples) },
      steps: { type: 'string', default: String(DEMO_CONFIG.steps) },
      seed: { type: 'string', default: String(DEMO_CONFIG.seed) },
      tolerance: { type: 'string', default: String(LOSS_TOLERANCE) },
      'timeout-ms': { type: 'string', default: '600000' },
    },
  });
  const ranks = wholeNumber('ranks', values.ranks, 1);
  const config = { ...DEMO_CONFIG, samples: wholeNumber('samples', values.samples, 1), steps: wholeNumber('steps', values.steps, 1), seed: wholeNumber('seed', values.seed, 0) };
  if (config.samples % ranks !== 0) throw new Error(`--samples (${config.samples}) must be a multiple of --ranks (${ranks}): ranks take equal shards`);
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) throw new Error(`--tolerance must be a number >= 0, got ${values.tolerance}`);
  if (!values.local && !values.token) throw new Error('give --token (or TABGRID_TOKEN): the admin token printed by `tabgrid serve`; or --local');
  return { url: values.url, token: values.token, local: values.local, ranks, config, tolerance, timeoutMs: wholeNumber('timeout-ms', values['timeout-ms'], 1) };
}

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min}, got ${text}`);
  return value;
}

/** One item, the config, run by every rank of a gang of `ranks`; rank 0's output is the job's. */
function trainSpec(code: string, config: TrainConfig, ranks: number): JobSpecInput {
  return {
    name: 'train-mlp',
    code,
    input: { items: [{ ...config }] },
    // A collective waits this long for the slowest rank before the attempt fails.
    gang: { size: ranks, timeoutMs: 60_000 },
    // A lost tab fails the attempt; the next gang resumes from rank 0's last checkpoint.
    retry: { maxAttempts: 3, backoff: { initialMs: 1000, factor: 2, maxMs: 10_000 } },
  };
}

interface Submitted {
  readonly job: Job | LocalJob;
  /** Ends when the job does, once its log lines are printed, or when `stopLogs` aborts. */
  readonly logsPrinted: Promise<void>;
}

/** Submits the job and prints the task's log lines as they come. */
async function submit(options: Options, spec: JobSpecInput, stopLogs: AbortSignal): Promise<Submitted> {
  if (options.local) return { job: await runLocally({ ...spec, runMode: 'local' }, { console: true }), logsPrinted: Promise.resolve() };
  const job = await new Tabgrid({ url: options.url, token: options.token }).submit(spec);
  console.log(`job ${job.id}: waiting for ${options.ranks} tabs (open the join URL ${options.ranks} times)`);
  const logsPrinted = (async () => {
    for await (const entry of job.followLogs({ signal: stopLogs })) console.log(`[task ${entry.taskIndex ?? '-'}] ${entry.message}`);
  })().catch((error: unknown) => {
    if (!stopLogs.aborted) console.error('lost the job log:', error);
  });
  return { job, logsPrinted };
}

async function trainOutput(job: Job | LocalJob): Promise<TrainResult> {
  for await (const { output } of job.results()) {
    if (isTrainResult(output)) return output;
    throw new Error(`the job's output is not a training result: ${JSON.stringify(output).slice(0, 200)}`);
  }
  throw new Error(`job ${job.id} completed without an output`);
}

function isTrainResult(value: unknown): value is TrainResult {
  const result = value as Partial<TrainResult> | null;
  const numbers = [result?.ranks, result?.accuracy, result?.resumedFrom, ...(Array.isArray(result?.losses) ? result.losses : [undefined])];
  return numbers.every((number) => typeof number === 'number');
}

function printCurves(gang: readonly number[], oneProcess: readonly number[]): void {
  const every = Math.max(1, Math.round(oneProcess.length / 20));
  console.log('\n step   gang loss   one process   |difference|');
  for (let step = 0; step < Math.max(gang.length, oneProcess.length); step++) {
    if (step % every !== 0 && step !== oneProcess.length - 1) continue;
    const a = gang[step];
    const b = oneProcess[step];
    const difference = a === undefined || b === undefined ? '-' : Math.abs(a - b).toExponential(1);
    console.log(`${String(step + 1).padStart(5)}   ${a?.toFixed(6) ?? '-'.padEnd(8)}    ${b?.toFixed(6) ?? '-'.padEnd(8)}      ${difference}`);
  }
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = readOptions();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
    return;
  }
  const stopLogs = new AbortController();
  const { job, logsPrinted } = await submit(options, trainSpec(await readTrainSource(), options.config, options.ranks), stopLogs.signal);
  try {
    await job.wait({ timeoutMs: options.timeoutMs });
  } catch (error) {
    stopLogs.abort();
    if (isTimeoutError(error)) console.error(`job ${job.id} did not end within ${options.timeoutMs} ms; it goes on (tabgrid cancel ${job.id})`);
    else if (isJobFailedError(error)) console.error(`job ${error.jobId} ${error.state}: ${error.message}`);
    else throw error;
    process.exitCode = 1;
    return;
  }
  await logsPrinted;
  const result = await trainOutput(job);
  const oneProcess = await trainInOneProcess(options.config);
  printCurves(result.losses, oneProcess);
  const comparison = compareLosses(result.losses, oneProcess, options.tolerance);
  const resumed = result.resumedFrom > 0 ? `, its last attempt resumed at step ${result.resumedFrom}` : '';
  console.log(`\ntrained on ${result.ranks} rank(s)${resumed}; accuracy ${(result.accuracy * 100).toFixed(1)}%`);
  console.log(`max |difference| ${comparison.maxDifference.toExponential(2)}, tolerance ${options.tolerance} × max(1, |loss|)`);
  if (comparison.agree) {
    console.log('the gang drew the one-process loss curve');
  } else {
    console.error(`the curves part at step ${comparison.firstBadStep + 1}`);
    process.exitCode = 1;
  }
}

await main();
