import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid workers`, `quarantine`, `release`, `quarantined` and `stats`: the grid itself. */
export function registerGrid(program: Command, io: CliIO): void {
  program
    .command('workers')
    .description('print the connected volunteer tabs as JSON')
    .action(async (_flags: unknown, command: Command) => {
      io.out(JSON.stringify(await clientFor(command, io).workers(), null, 2));
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
    .description('print the quarantined workers as JSON')
    .action(async (_flags: unknown, command: Command) => {
      io.out(JSON.stringify(await clientFor(command, io).quarantined(), null, 2));
    });
  program
    .command('stats')
    .description("print the grid's counters as JSON")
    .action(async (_flags: unknown, command: Command) => {
      io.out(JSON.stringify(await clientFor(command, io).stats(), null, 2));
    });
}
