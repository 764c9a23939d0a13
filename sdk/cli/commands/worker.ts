import type { Command } from 'commander';
import type { WorkerClientEvent, WorkerClientSnapshot } from '../../../worker/index.js';
import type { NodeWorker, NodeWorkerOptions } from '../../../node-worker/index.js';
import type { CliIO } from '../io.js';
import { integerOption } from '../options.js';

interface WorkerFlags {
  join: string;
  concurrency?: number;
  debug?: boolean;
}

/** Starts the worker; a parameter so tests can pass their own. */
export type StartWorker = (options: NodeWorkerOptions) => NodeWorker;

/**
 * `tabgrid worker --join URL [--concurrency N]`: joins a coordinator as a worker in this process,
 * running tasks in worker threads, until SIGINT/SIGTERM.
 */
export function registerWorker(program: Command, io: CliIO, start?: StartWorker): void {
  program
    .command('worker')
    .description('join a coordinator as a worker: run its tasks here, in Node worker threads')
    .requiredOption('--join <url>', 'the join URL printed by `tabgrid serve` (http://host:port/join?token=...)')
    .option('--concurrency <n>', "tasks to run at once, each in its own thread (default: this machine's cores, os.availableParallelism())", integerOption(1, 1024))
    .option('--debug', 'take debug jobs and print every task log line (also set by debug=1 in the join URL)')
    .action(async (flags: WorkerFlags) => {
      const options: NodeWorkerOptions = { joinUrl: flags.join };
      if (flags.concurrency !== undefined) options.concurrency = flags.concurrency;
      if (flags.debug) options.debug = true;
      // Loaded on demand, as `serve` loads the coordinator: the commands that only talk HTTP should
      // not pull in the worker runtime and its socket library at every start.
      const nodeWorker = await import('../../../node-worker/index.js');
      const worker = (start ?? nodeWorker.startNodeWorker)(options);
      const describe = workerReporter(io, flags.debug === true || nodeWorker.parseJoinUrl(flags.join).debug);
      worker.client.subscribe((event) => describe(event, worker.client.snapshot()));
      io.onShutdown(() => worker.stop());
    });
}

/** One line per event worth a line: joining once, warnings, failures; task logs with `--debug`. */
function workerReporter(io: CliIO, verbose: boolean): (event: WorkerClientEvent, snapshot: WorkerClientSnapshot) => void {
  let joined = false;
  return (event, snapshot) => {
    if (!joined && snapshot.connection === 'connected' && snapshot.workerId !== null) {
      joined = true;
      io.out(`joined as ${snapshot.workerId}`);
    }
    switch (event.type) {
      case 'warning':
        return io.err(`warning: ${event.message}`);
      case 'coordinator-error':
        return io.err(`coordinator: ${event.message} (${event.code})`);
      case 'task-end':
        if (event.outcome === 'fail') io.err(`task failed (lease ${event.leaseId}): ${event.message ?? 'unknown error'}`);
        return;
      case 'task-start':
        if (verbose) io.err(`started ${event.lease.jobName} task ${event.lease.taskIndex} (lease ${event.lease.leaseId})`);
        return;
      case 'task-log':
        if (verbose) io.err(`[${event.leaseId}] ${event.level}: ${event.message}`);
        return;
      default:
        return;
    }
  };
}
