import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid results JOB`: the outputs of finished items as NDJSON, `{"index":0,"output":...}` per line, with or without `--json`. */
export function registerResults(program: Command, io: CliIO): void {
  program
    .command('results <job>')
    .description('print the outputs of finished items as NDJSON, in item order')
    .option('--json', 'the same NDJSON (accepted as by every read command)')
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      for await (const result of clientFor(command, io).job(jobId).results()) io.out(JSON.stringify(result));
    });
}
