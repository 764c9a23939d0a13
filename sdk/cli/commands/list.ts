import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import { jobTable } from '../format.js';
import type { CliIO } from '../io.js';

/** `tabgrid list [--json]`: every job, one per line. */
export function registerList(program: Command, io: CliIO): void {
  program
    .command('list')
    .description('list jobs with their state and progress')
    .option('--json', 'print the statuses as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const jobs = await clientFor(command, io).jobs();
      if (flags.json) io.out(JSON.stringify(jobs, null, 2));
      else for (const line of jobTable(jobs)) io.out(line);
    });
}
