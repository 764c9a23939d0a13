import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';
import { printSteeredState } from './cancel.js';

/** `tabgrid retry JOB`: runs a FAILED job's failed (and cancelled) tasks again; prints its new state. */
export function registerRetry(program: Command, io: CliIO): void {
  program
    .command('retry <job>')
    .description('retry a FAILED job: its failed and cancelled tasks run again (jobs that failed because it failed stay failed)')
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      printSteeredState(io, await clientFor(command, io).job(jobId).retryFailed());
    });
}
