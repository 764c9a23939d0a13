import type { Command } from 'commander';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';

/** `tabgrid workers` and `tabgrid stats`: the grid itself, as JSON. */
export function registerGrid(program: Command, io: CliIO): void {
  program
    .command('workers')
    .description('print the connected volunteer tabs as JSON')
    .action(async (_flags: unknown, command: Command) => {
      io.out(JSON.stringify(await clientFor(command, io).workers(), null, 2));
    });
  program
    .command('stats')
    .description("print the grid's counters as JSON")
    .action(async (_flags: unknown, command: Command) => {
      io.out(JSON.stringify(await clientFor(command, io).stats(), null, 2));
    });
}
