import type { Command } from 'commander';
import type { JobStatus } from '../../../shared/index.js';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid cancel JOB`: cancels a job that has not ended; prints its new state. */
export function registerCancel(program: Command, io: CliIO): void {
  program
    .command('cancel <job>')
    .description('cancel a job: no more tasks are handed out, running ones are stopped')
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      printSteeredState(io, await clientFor(command, io).job(jobId).cancel());
    });
}

/** What `cancel`, `pause` and `resume` print: `state: PAUSED`, and why it is not running when the coordinator says. */
export function printSteeredState(io: CliIO, status: JobStatus): void {
  io.out(`state: ${status.state}`);
  if (status.waitingReason !== undefined) io.out(`waiting: ${status.waitingReason}`);
}
