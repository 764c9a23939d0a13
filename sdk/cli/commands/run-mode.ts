import { InvalidArgumentError, type Command } from 'commander';
import { RunModeBody } from '../../../shared/index.js';
import { clientFor } from '../connection.js';
import type { CliIO } from '../io.js';
import { printSteeredState } from './cancel.js';

type SwitchableMode = RunModeBody['runMode'];
const MODES = RunModeBody.shape.runMode.options;

/** `tabgrid run-mode JOB immediate|debug`: switches a job that has not ended to or from debug mode; prints the mode and its state. */
export function registerRunMode(program: Command, io: CliIO): void {
  program
    .command('run-mode')
    .argument('<job>')
    .argument('<mode>', MODES.join(' or '), runModeArgument)
    .description('switch a job to debug mode (one task at a time, to workers that joined with debug on) or back to immediate')
    .action(async (jobId: string, mode: SwitchableMode, _flags: unknown, command: Command) => {
      const status = await clientFor(command, io).job(jobId).setRunMode(mode);
      io.out(`run mode: ${status.runMode}`);
      printSteeredState(io, status);
    });
}

function runModeArgument(value: string): SwitchableMode {
  const mode = MODES.find((each) => each === value);
  if (mode === undefined) throw new InvalidArgumentError(`expected ${MODES.join(' or ')}`);
  return mode;
}
