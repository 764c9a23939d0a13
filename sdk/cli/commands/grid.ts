import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import { quarantineTable, statsLines, workerTable } from '../grid-format.js';
import type { CliIO } from '../io.js';

/** `tabgrid workers`, `quarantine`, `release`, `quarantined` and `stats`: the grid itself. */
export function registerGrid(program: Command, io: CliIO): void {
  program
    .command('workers')
    .description('list the connected workers: adapter, tensor backends, tasks running and done, throughput, reputation')
    .option('--json', 'print the workers as JSON, capabilities and all')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const workers = await clientFor(command, io).workers();
      printAs(io, flags, workers, workerTable);
    });
  for (const [action, description] of [
    ['quarantine', 'quarantine a worker: no more work, its unchecked results checked again'],
    ['release', 'release a quarantined worker: it gets work again, checked until trusted'],
  ] as const) {
    program
      .command(`${action} <worker>`)
      .description(description)
      .option('--reason <text>', 'why, kept with the worker record')
      .action(async (workerId: string, flags: { reason?: string }, command: Command) => {
        const client = clientFor(command, io);
        const options = flags.reason === undefined ? {} : { reason: flags.reason };
        const record = action === 'quarantine' ? await client.quarantine(workerId, options) : await client.release(workerId, options);
        io.out(`${record.id}: ${record.quarantined ? 'quarantined' : 'not quarantined'} (valid ${record.valid}, invalid ${record.invalid}, streak ${record.streak})`);
      });
  }
  program
    .command('quarantined')
    .description('list the quarantined workers and why')
    .option('--json', 'print them as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      printAs(io, flags, await clientFor(command, io).quarantined(), quarantineTable);
    });
  program
    .command('stats')
    .description("show the grid's workers, jobs and tasks by state, queue, throughput and counters")
    .option('--json', 'print the counters as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      printAs(io, flags, await clientFor(command, io).stats(), statsLines);
    });
}

/** `value` as JSON with `--json`, else as `lines` says it. */
function printAs<T>(io: CliIO, flags: { json?: boolean }, value: T, lines: (value: T) => string[]): void {
  if (flags.json) io.out(JSON.stringify(value, null, 2));
  else for (const line of lines(value)) io.out(line);
}
