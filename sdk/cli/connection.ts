import type { Command } from 'commander';
import { Tabgrid } from '../client.js';
import { TabgridError } from '../errors.js';
import type { CliIO } from './io.js';

/** Where `tabgrid serve` listens unless told otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Adds `--url` and `--token`, which every command that talks to a coordinator reads. */
export function addConnectionOptions(program: Command): Command {
  return program
    .option('--url <urls>', `coordinator URL, or several separated by commas (one active, the others standing by) (env TABGRID_URL, default ${DEFAULT_URL})`)
    .option('--token <token>', 'admin token printed by `tabgrid serve` (env TABGRID_TOKEN)');
}

/** A client for the coordinators named by `--url`/`--token` or `TABGRID_URL`/`TABGRID_TOKEN` (`a,b`: several). */
export function clientFor(command: Command, io: CliIO): Tabgrid {
  const options = command.optsWithGlobals<{ url?: string; token?: string }>();
  const url = (options.url ?? io.env['TABGRID_URL'] ?? DEFAULT_URL)
    .split(',')
    .map((each) => each.trim())
    .filter((each) => each !== '');
  const token = options.token ?? io.env['TABGRID_TOKEN'];
  if (!token) {
    throw new TabgridError('no admin token: pass --token or set TABGRID_TOKEN (`tabgrid serve` prints it)');
  }
  return new Tabgrid(io.fetch ? { url, token, fetch: io.fetch } : { url, token });
}
