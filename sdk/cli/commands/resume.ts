import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';
import { printSteeredState } from './cancel.js';

/** `tabgrid resume JOB`: lets a PAUSED job run again; prints its new state. */
export function registerResume(program: Command, io: CliIO): void {
  program
    .command('resume <job>')
    .description('resume a PAUSED job (paused, or submitted with runMode: paused)')
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      printSteeredState(io, await clientFor(command, io).job(jobId).resume());
    });
}
