import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isJobFailedError } from '../../errors.js';
import { Job } from '../../job.js';
import type { LocalJob } from '../../local/index.js';
import { clientFor } from '../connection.js';
import { statusLines } from '../format.js';
import type { CliIO } from '../io.js';
import { loadJobFile } from '../job-file.js';
import { integerOption } from '../options.js';
import { watchJob } from '../watch.js';

interface SubmitFlags {
  wait?: boolean;
  timeout?: number;
}

/**
 * `tabgrid submit FILE.yaml [--wait]`: validates the file, submits it, prints the job id on
 * stdout (so `JOB=$(tabgrid submit f.yaml)` works); a note on stderr when its idempotencyKey
 * was seen before and the id is that of the existing job. `--wait` shows its progress until it
 * ends (a bar on a terminal, plain lines elsewhere), then its final state and counts.
 */
export function registerSubmit(program: Command, io: CliIO): void {
  program
    .command('submit <file>')
    .description('submit a job from a YAML file and print its id')
    .option('--wait', 'show its progress until it ends, then its final state (and where and how it failed); exit 1 unless it completed')
    .option('--timeout <ms>', 'with --wait: give up waiting after this long', integerOption(0, Number.MAX_SAFE_INTEGER))
    .action(async (file: string, flags: SubmitFlags, command: Command) => {
      const spec = await loadJobFile(file, (path) => readFile(resolve(io.cwd, path), 'utf8'));
      const grid = clientFor(command, io);
      const job = await grid.submit(spec);
      // A resubmit with a known idempotencyKey gets the job made then; say so, aside.
      if (job.existing) io.err(`existing job ${job.id} (same idempotencyKey)`);
      io.out(job.id);
      if (!flags.wait) return;
      if (job instanceof Job) await watchJob(job, io, { timeoutMs: flags.timeout });
      else await waitLocally(job, io, flags.timeout);
    });
}

/** A `runMode: local` job runs in this process as it is submitted: there is no feed to watch, only its end. */
async function waitLocally(job: LocalJob, io: CliIO, timeoutMs: number | undefined): Promise<void> {
  try {
    const final = await job.wait(timeoutMs === undefined ? {} : { timeoutMs });
    for (const line of statusLines(final)) io.out(line);
  } catch (error) {
    if (isJobFailedError(error)) io.out(`state: ${error.state}`);
    throw error;
  }
}
