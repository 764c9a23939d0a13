import { Command, CommanderError } from 'commander';
import { registerCancel } from './commands/cancel.js';
import { registerEvents } from './commands/events.js';
import { registerGrid } from './commands/grid.js';
import { registerList } from './commands/list.js';
import { registerLogs } from './commands/logs.js';
import { registerPause } from './commands/pause.js';
import { registerPriority } from './commands/priority.js';
import { registerResult } from './commands/result.js';
import { registerResults } from './commands/results.js';
import { registerResubmit } from './commands/resubmit.js';
import { registerResume } from './commands/resume.js';
import { registerRetry } from './commands/retry.js';
import { registerRunMode } from './commands/run-mode.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import type { StartCoordinator } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerSubmit } from './commands/submit.js';
import { registerWorker } from './commands/worker.js';
import { addConnectionOptions } from './connection.js';
import { formatError } from './format.js';
import type { CliIO } from './io.js';

/** Replaces parts of the CLI in tests. */
export interface CliOverrides {
  /** Loads `startCoordinator` for `serve`; the real coordinator by default. */
  loadCoordinator?: () => Promise<StartCoordinator>;
}

/** The `tabgrid` command with all its subcommands, writing through `io`. */
export function createProgram(io: CliIO, overrides: CliOverrides = {}): Command {
  const program = new Command('tabgrid')
    .description('turn browser tabs into a compute grid')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.writeRaw('out', text),
      writeErr: (text) => io.writeRaw('err', text),
    });
  addConnectionOptions(program);
  registerServe(program, io, overrides.loadCoordinator);
  registerSubmit(program, io);
  registerStatus(program, io);
  registerList(program, io);
  registerResults(program, io);
  registerLogs(program, io);
  registerEvents(program, io);
  registerResult(program, io);
  registerPause(program, io);
  registerResume(program, io);
  registerCancel(program, io);
  registerRetry(program, io);
  registerResubmit(program, io);
  registerPriority(program, io);
  registerRunMode(program, io);
  registerGrid(program, io);
  registerRun(program, io);
  registerWorker(program, io);
  return program;
}

/**
 * Runs `tabgrid` with `args` (without `node` and the script) and resolves its exit code.
 * Errors become one `error: ...` line on stderr and exit code 1.
 */
export async function runCli(args: readonly string[], io: CliIO, overrides: CliOverrides = {}): Promise<number> {
  try {
    await createProgram(io, overrides).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its usage error or help; only its exit code is left to pass on.
    if (error instanceof CommanderError) return error.exitCode;
    io.err(`error: ${formatError(error, Boolean(io.env['TABGRID_DEBUG']))}`);
    return 1;
  }
}
