import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { JobSpec, LogEntry } from '../../../shared/index.js';
import { TabgridError } from '../../errors.js';
import { storedBlobFetcher, type BlobFetcher } from '../../local/blobs.js';
import type { LocalJob, LocalRunOptions } from '../../local/index.js';
import { RestClient } from '../../rest.js';
import { clientFor, DEFAULT_URL } from '../connection.js';
import type { CliIO } from '../io.js';
import { loadJobFile } from '../job-file.js';
import { integerOption } from '../options.js';

interface RunFlags {
  local?: boolean;
  debug?: boolean;
  timeout?: number;
}

/**
 * `tabgrid run FILE.yaml [--local]`: runs a job and prints its results as NDJSON (`{"index":..,"output":..}`
 * per line, then `{"result":..}` for a job with a reduce step). `--local` (or `runMode: local` in
 * the file) runs it in this process, one task at a time; otherwise it is submitted and waited for.
 */
export function registerRun(program: Command, io: CliIO): void {
  program
    .command('run <file>')
    .description('run a job from a YAML file and print its results as NDJSON; --local runs it here, without a coordinator')
    .option('--local', 'run in this process, one task at a time (task logs go to stderr)')
    .option('--debug', 'with --local: log everything at debug level; under `node --inspect`, stop before each call')
    .option('--timeout <ms>', 'give up waiting after this long', integerOption(0, Number.MAX_SAFE_INTEGER))
    .action(async (file: string, flags: RunFlags, command: Command) => {
      const spec = await loadJobFile(file, (path) => readFile(resolve(io.cwd, path), 'utf8'));
      const local = flags.local === true || spec.runMode === 'local';
      const job = local
        ? await runHere(spec, localOptions(command, io, flags))
        : await clientFor(command, io).submit(spec);
      if (!local) io.err(`submitted ${job.id}`);
      await job.wait(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout });
      for await (const result of job.results()) io.out(JSON.stringify(result));
      if (spec.reduce !== undefined) io.out(JSON.stringify({ result: await job.result() }));
    });
}

// The local runner is loaded on demand: it brings the task runtime, which the other commands do without.
async function runHere(spec: JobSpec, options: LocalRunOptions): Promise<LocalJob> {
  const { runLocally } = await import('../../local/index.js');
  return runLocally({ ...spec, runMode: 'local' }, options);
}

function localOptions(command: Command, io: CliIO, flags: RunFlags): LocalRunOptions {
  const options: LocalRunOptions = { onLog: (entry) => io.err(logLine(entry)), fetchBlob: blobFetcherFor(command, io) };
  if (flags.debug) options.debug = true;
  return options;
}

function logLine(entry: LogEntry): string {
  const where = entry.taskIndex === null ? '[job]' : `[task ${entry.taskIndex}]`;
  return entry.level === 'info' ? `${where} ${entry.message}` : `${where} ${entry.level}: ${entry.message}`;
}

/** Blobs (`code: { blob }`, blob inputs) come from the coordinator named by --url/--token, if any. */
function blobFetcherFor(command: Command, io: CliIO): BlobFetcher {
  const options = command.optsWithGlobals<{ url?: string; token?: string }>();
  const token = options.token ?? io.env['TABGRID_TOKEN'];
  if (!token) {
    return (sha256) =>
      Promise.reject(
        new TabgridError(`this job needs blob ${sha256}: pass --url and --token (or TABGRID_URL, TABGRID_TOKEN) to read it from a coordinator`),
      );
  }
  const url = options.url ?? io.env['TABGRID_URL'] ?? DEFAULT_URL;
  return storedBlobFetcher(new RestClient(url, token, io.fetch ?? ((input, init) => globalThis.fetch(input, init))));
}
