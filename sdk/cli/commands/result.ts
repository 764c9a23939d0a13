import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid result JOB [--json]`: the output of a completed job's `reduce` step, as JSON (indented; on one line with `--json`). */
export function registerResult(program: Command, io: CliIO): void {
  program
    .command('result <job>')
    .description("print the output of a completed job's reduce step as JSON")
    .option('--json', 'print it on one line')
    .action(async (jobId: string, flags: { json?: boolean }, command: Command) => {
      const result = await clientFor(command, io).job(jobId).result();
      io.out((flags.json ? JSON.stringify(result) : JSON.stringify(result, null, 2)) ?? 'null');
    });
}
