/**
 * Runs the test suites on a busy machine: a CPU burner spins on every core (worker threads, at
 * normal priority) while `vitest run` and then `playwright test` run beside them, as on a laptop
 * compiling something else or a CI box shared with other jobs. A test that holds only on an idle
 * machine fails here. The burners stop at the end whatever happens (they are threads of this
 * process, so they go with it even when it is killed). Exits with the suites' status.
 *
 *   tsx scripts/stress.ts [--runs N] [--unit] [--e2e] [--burners N] [-- args for the runners]
 *
 * With neither `--unit` nor `--e2e`, both run (unit first, as `npm test` does). The e2e suite
 * reuses the build in dist/ (`npm run build` runs first only when there is none). Arguments
 * after `--` go to each runner, e.g. `-- e2e/comm.spec.ts` with `--e2e`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const root = resolve(import.meta.dirname, '..');

type Suite = 'unit' | 'e2e';

interface StressOptions {
  runs: number;
  suites: Suite[];
  burners: number;
  runnerArgs: string[];
}

interface RunRecord {
  run: number;
  suite: Suite;
  status: number;
  seconds: number;
  /** One-minute load averages: when the suite started, its highest while it ran, when it ended. */
  load: { start: number; peak: number; end: number };
}

/** The suites' commands: the project's own runners, as `npm run test:unit` / `test:e2e` call them. */
const COMMANDS: Record<Suite, { bin: string; args: string[] }> = {
  unit: { bin: 'vitest', args: ['run'] },
  e2e: { bin: 'playwright', args: ['test'] },
};

function readOptions(argv: string[]): StressOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '1' },
      unit: { type: 'boolean', default: false },
      e2e: { type: 'boolean', default: false },
      burners: { type: 'string', default: String(availableParallelism()) },
    },
  });
  const runs = Number(values.runs);
  const burners = Number(values.burners);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a whole number of at least 1, not ${values.runs}`);
  if (!Number.isInteger(burners) || burners < 0) throw new Error(`--burners wants a whole number, not ${values.burners}`);
  const picked = (['unit', 'e2e'] as const).filter((suite) => values[suite]);
  return { runs, burners, suites: picked.length > 0 ? picked : ['unit', 'e2e'], runnerArgs: positionals };
}

/** One thread per core, each spinning until terminated (termination interrupts a busy loop). */
function startBurners(count: number): Worker[] {
  return Array.from({ length: count }, () => {
    const worker = new Worker('for (;;) {}', { eval: true });
    worker.on('error', (error) => console.error('stress: a burner failed:', error));
    return worker;
  });
}

async function stopBurners(burners: Worker[]): Promise<void> {
  await Promise.all(burners.splice(0).map((worker) => worker.terminate()));
}

/** The command running now, to pass a signal on to. */
let running: ChildProcess | undefined;

/** Runs a command with the terminal; answers its exit status (a signal counts as 1). */
function runCommand(command: string, args: string[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    running = child;
    child.on('error', fail);
    child.on('exit', (code) => {
      running = undefined;
      done(code ?? 1);
    });
  });
}

async function runSuite(suite: Suite, run: number, runnerArgs: string[]): Promise<RunRecord> {
  const { bin, args } = COMMANDS[suite];
  const start = loadAverage();
  let peak = start;
  const sampler = setInterval(() => (peak = Math.max(peak, loadAverage())), 5000);
  const began = performance.now();
  console.log(`\nstress: run ${run}, ${suite} suite (load average ${start.toFixed(2)})\n`);
  try {
    const status = await runCommand(resolve(root, 'node_modules/.bin', bin), [...args, ...runnerArgs]);
    const end = loadAverage();
    return { run, suite, status, seconds: (performance.now() - began) / 1000, load: { start, peak: Math.max(peak, end), end } };
  } finally {
    clearInterval(sampler);
  }
}

const loadAverage = (): number => loadavg()[0] ?? 0;

/** What the suites need built: the WebAssembly kernels for unit tests, the whole build for e2e (once). */
async function prepare(suites: Suite[]): Promise<void> {
  const built = existsSync(resolve(root, 'dist/sdk/cli/main.js')) && existsSync(resolve(root, 'dist/web/join.html'));
  if (suites.includes('e2e') && !built) await mustSucceed('npm', ['run', 'build']);
  else if (suites.includes('unit')) await mustSucceed('npm', ['run', 'build:wasm', '--silent']);
}

async function mustSucceed(command: string, args: string[]): Promise<void> {
  const status = await runCommand(command, args);
  if (status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${status}`);
}

function report(records: RunRecord[], burners: number): void {
  console.log(`\nstress: ${burners} burner thread(s) on ${availableParallelism()} core(s)`);
  for (const r of records) {
    const outcome = r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`;
    const load = `load average ${r.load.start.toFixed(2)} → peak ${r.load.peak.toFixed(2)} → ${r.load.end.toFixed(2)}`;
    console.log(`stress: run ${r.run} ${r.suite.padEnd(4)} ${outcome.padEnd(16)} ${r.seconds.toFixed(0).padStart(5)} s  ${load}`);
  }
}

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  await prepare(options.suites);
  const burners = startBurners(options.burners);
  // Stop spinning, pass the signal on to the runner (Ctrl-C reaches it anyway), and leave with it.
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    running?.kill(signal);
    void stopBurners(burners).finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const records: RunRecord[] = [];
  try {
    for (let run = 1; run <= options.runs; run++) {
      for (const suite of options.suites) records.push(await runSuite(suite, run, options.runnerArgs));
    }
  } finally {
    await stopBurners(burners);
    report(records, options.burners);
  }
  return records.find((record) => record.status !== 0)?.status ?? 0;
}

main().then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    console.error('stress:', error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
