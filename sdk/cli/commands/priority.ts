import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';
import { integerOption } from '../options.js';
import { printSteeredState } from './cancel.js';

/** `tabgrid priority JOB N`: gives a job that has not ended another priority; prints it and the job's state. */
export function registerPriority(program: Command, io: CliIO): void {
  program
    .command('priority')
    .argument('<job>')
    .argument('<priority>', 'from -1000 to 1000; higher runs first', integerOption(-1000, 1000))
    .description("change a job's priority: the next tasks handed out follow the new order")
    .action(async (jobId: string, priority: number, _flags: unknown, command: Command) => {
      const status = await clientFor(command, io).job(jobId).setPriority(priority);
      io.out(`priority: ${status.priority}`);
      printSteeredState(io, status);
    });
}
