import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';
import { printSteeredState } from './cancel.js';

/** `tabgrid pause JOB`: stops handing out a job's tasks until `tabgrid resume`; prints its new state. */
export function registerPause(program: Command, io: CliIO): void {
  program
    .command('pause <job>')
    .description('pause a PENDING or RUNNING job: no new tasks are handed out (running ones finish) until resumed')
    .action(async (jobId: string, _flags: unknown, command: Command) => {
      printSteeredState(io, await clientFor(command, io).job(jobId).pause());
    });
}
