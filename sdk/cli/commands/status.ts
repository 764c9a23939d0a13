import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import { statusLines, validationLine } from '../format.js';
import type { CliIO } from '../io.js';

/** `tabgrid status JOB [--json]`: state, progress, run mode, why it waits, and the error of a failed job. */
export function registerStatus(program: Command, io: CliIO): void {
  program
    .command('status <job>')
    .description("show a job's state and progress")
    .option('--json', 'print the whole status as JSON')
    .action(async (jobId: string, flags: { json?: boolean }, command: Command) => {
      const status = await clientFor(command, io).job(jobId).status();
      if (flags.json) {
        io.out(JSON.stringify(status, null, 2));
        return;
      }
      io.out(`job: ${status.id} (${status.name})`);
      for (const line of statusLines(status)) io.out(line);
      io.out(`run mode: ${status.runMode}`);
      if (status.validation) io.out(validationLine(status.validation));
      if (status.waitingReason !== undefined) io.out(`waiting: ${status.waitingReason}`);
    });
}
