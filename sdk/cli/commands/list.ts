import { InvalidArgumentError, type Command } from 'commander';
import { JOB_STATES, type JobState } from '../../../shared/index.js';
import { clientFor } from '../connection.js';
import { jobTable } from '../format.js';
import type { CliIO } from '../io.js';

/** `tabgrid list [--state S,...] [--name TEXT] [--json]`: jobs, one per line, oldest first. */
export function registerList(program: Command, io: CliIO): void {
  program
    .command('list')
    .description('list jobs with their state and progress, oldest first')
    .option('--state <states>', 'only jobs in these states, comma-separated (e.g. RUNNING,PENDING)', jobStates)
    .option('--name <text>', 'only jobs whose name contains this (any case)')
    .option('--json', 'print the statuses as JSON')
    .action(async (flags: { json?: boolean; state?: JobState[]; name?: string }, command: Command) => {
      const jobs = await clientFor(command, io).jobs({ ...(flags.state ? { state: flags.state } : {}), ...(flags.name ? { name: flags.name } : {}) });
      if (flags.json) io.out(JSON.stringify(jobs, null, 2));
      else for (const line of jobTable(jobs)) io.out(line);
    });
}

function jobStates(value: string): JobState[] {
  const states = value.split(',').map((state) => state.trim().toUpperCase());
  const unknown = states.find((state) => !(JOB_STATES as readonly string[]).includes(state));
  if (unknown !== undefined) throw new InvalidArgumentError(`'${unknown}' is not a job state (${JOB_STATES.join(', ')})`);
  return states as JobState[];
}
