import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid resubmit JOB`: submits a job's spec again as a new job; prints the new job's id, as `submit` does. */
export function registerResubmit(program: Command, io: CliIO): void {
  program
    .command('resubmit <job>')
    .description("submit a job's spec again as a new job (without its idempotencyKey) and print the new id")
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      io.out((await clientFor(command, io).job(jobId).resubmit()).id);
    });
}
