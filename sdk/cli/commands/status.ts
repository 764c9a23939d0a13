import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import { failureLines } from '../failure.js';
import { statusLines, validationLine } from '../format.js';
import type { CliIO } from '../io.js';
import { watchJob } from '../watch.js';

interface StatusFlags {
  json?: boolean;
  watch?: boolean;
}

/**
 * `tabgrid status JOB [--watch] [--json]`: state, progress, run mode, why it waits, and where and
 * how a failed job failed. `--watch` shows its progress until it ends, and exits as `submit --wait`.
 */
export function registerStatus(program: Command, io: CliIO): void {
  program
    .command('status <job>')
    .description("show a job's state and progress")
    .option('-w, --watch', 'show its progress until it ends (a bar on a terminal, plain lines elsewhere); exit 1 unless it completed')
    .option('--json', 'print the whole status as JSON (with --watch: one line of JSON per change)')
    .action(async (jobId: string, flags: StatusFlags, command: Command) => {
      const job = clientFor(command, io).job(jobId);
      if (flags.watch) {
        if (!flags.json) io.out(`job: ${jobId}`);
        await watchJob(job, io, { json: flags.json });
        return;
      }
      const status = await job.status();
      if (flags.json) {
        io.out(JSON.stringify(status, null, 2));
        return;
      }
      io.out(`job: ${status.id} (${status.name})`);
      for (const line of statusLines(status)) io.out(line);
      io.out(`run mode: ${status.runMode}`);
      if (status.validation) io.out(validationLine(status.validation));
      if (status.waitingReason !== undefined) io.out(`waiting: ${status.waitingReason}`);
      for (const line of await failureLines(job, status)) io.out(line);
    });
}
