import type { Command } from 'commander';
import type { JobEvent } from '../../../shared/index.js';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

interface EventsFlags {
  follow?: boolean;
  json?: boolean;
}

/** `tabgrid events JOB [--follow] [--json]`: the job's state changes, one per line. */
export function registerEvents(program: Command, io: CliIO): void {
  program
    .command('events <job>')
    .description("print a job's state changes (SUBMITTED -> PENDING -> ...) with their reasons")
    .option('-f, --follow', 'keep printing changes as they happen; exit when the job ends')
    .option('--json', 'print the events as NDJSON')
    .action(async (jobId: string, flags: EventsFlags, command: Command) => {
      const job = clientFor(command, io).job(jobId);
      const print = (event: JobEvent): void => io.out(flags.json ? JSON.stringify(event) : eventLine(event));
      if (flags.follow) {
        for await (const event of job.followEvents()) print(event);
      } else {
        for (const event of await job.events()) print(event);
      }
    });
}

/** `2030-01-01T00:00:00.000Z PENDING -> RUNNING: a worker took task 0` (the first has no `from`). */
export function eventLine(event: JobEvent): string {
  const change = event.from === null ? event.to : `${event.from} -> ${event.to}`;
  return `${event.time} ${change}: ${event.reason}`;
}
