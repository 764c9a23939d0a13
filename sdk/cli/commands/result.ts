import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid result JOB`: the output of a completed job's `reduce` step, as JSON. */
export function registerResult(program: Command, io: CliIO): void {
  program
    .command('result <job>')
    .description("print the output of a completed job's reduce step as JSON")
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      io.out(JSON.stringify(await clientFor(command, io).job(jobId).result(), null, 2) ?? 'null');
    });
}
