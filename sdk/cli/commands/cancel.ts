import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid cancel JOB`: cancels a job that has not ended; prints its new state. */
export function registerCancel(program: Command, io: CliIO): void {
  program
    .command('cancel <job>')
    .description('cancel a job: no more tasks are handed out, running ones are stopped')
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      const status = await clientFor(command, io).job(jobId).cancel();
      io.out(`state: ${status.state}`);
    });
}
