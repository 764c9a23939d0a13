import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isJobFailedError } from '../../errors.js';
import { clientFor } from '../connection.js';
import { statusLines } from '../format.js';
import type { CliIO } from '../io.js';
import { loadJobFile } from '../job-file.js';
import { integerOption } from '../options.js';

interface SubmitFlags {
  wait?: boolean;
  timeout?: number;
}

/**
 * `tabgrid submit FILE.yaml [--wait]`: validates the file, submits it, prints the job id on
 * stdout (so `JOB=$(tabgrid submit f.yaml)` works); a note on stderr when its idempotencyKey
 * was seen before and the id is that of the existing job.
 */
export function registerSubmit(program: Command, io: CliIO): void {
  program
    .command('submit <file>')
    .description('submit a job from a YAML file and print its id')
    .option('--wait', 'wait until the job ends and print its final state; exit 1 unless it completed')
    .option('--timeout <ms>', 'with --wait: give up waiting after this long', integerOption(0, Number.MAX_SAFE_INTEGER))
    .action(async (file: string, flags: SubmitFlags, command: Command) => {
      const spec = await loadJobFile(file, (path) => readFile(resolve(io.cwd, path), 'utf8'));
      const grid = clientFor(command, io);
      const job = await grid.submit(spec);
      // A resubmit with a known idempotencyKey gets the job made then; say so, aside.
      if (job.existing) io.err(`existing job ${job.id} (same idempotencyKey)`);
      io.out(job.id);
      if (!flags.wait) return;
      try {
        const final = await job.wait(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout });
        for (const line of statusLines(final)) io.out(line);
      } catch (error) {
        if (isJobFailedError(error)) io.out(`state: ${error.state}`);
        throw error;
      }
    });
}
