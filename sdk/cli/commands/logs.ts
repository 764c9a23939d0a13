import type { Command } from 'commander';
import type { LogEntry } from '../../../shared/index.js';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

interface LogsFlags {
  follow?: boolean;
  json?: boolean;
}

/** `tabgrid logs JOB [--follow] [--json]`: the job's log, one entry per line. */
export function registerLogs(program: Command, io: CliIO): void {
  program
    .command('logs <job>')
    .description("print a job's log")
    .option('-f, --follow', 'keep printing lines as tasks write them; exit when the job ends')
    .option('--json', 'print the entries as NDJSON')
    .action(async (jobId: string, flags: LogsFlags, command: Command) => {
      const job = clientFor(command, io).job(jobId);
      for await (const entry of flags.follow ? job.followLogs() : job.logs()) {
        io.out(flags.json ? JSON.stringify(entry) : logLine(entry));
      }
    });
}

/** `2025-01-01T00:00:00.000Z info  task 3 worker w1: message`; the lines after a message's first (a stack) indented under it. */
export function logLine(entry: LogEntry): string {
  const task = entry.taskIndex === null ? '' : ` task ${entry.taskIndex}`;
  const worker = entry.workerId === null ? '' : ` worker ${entry.workerId}`;
  return `${entry.time} ${entry.level.padEnd(5)}${task}${worker}: ${entry.message.replaceAll('\n', '\n    ')}`;
}
