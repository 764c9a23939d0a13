import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { ADMIN_TOKEN, useRealGrids, type RealGrid } from '../test-support.js';
import type { CliIO, TerminalStream } from './io.js';
import { runCli, type CliOverrides } from './program.js';

// Runs `tabgrid` in-process for the CLI's tests, talking to a real coordinator (../test-support.ts).

/** What one `tabgrid` run printed, and how it ended. */
export interface CliRun {
  /** The exit code; -1 while it runs. */
  code: number;
  stdout: string[];
  stderr: string[];
  /** What it asked to run on SIGINT/SIGTERM. */
  stops: (() => Promise<void>)[];
  /** What it drew on its terminal (a run with `terminal: true`), escape codes and all. */
  terminal: string;
}

export interface CliTarget {
  /** The folder relative paths are read from. */
  cwd: string;
  /** The coordinator it talks to, through TABGRID_URL and TABGRID_TOKEN and the recording fetch. */
  grid?: RealGrid;
  /** The environment; the grid's URL and token by default. */
  env?: Record<string, string>;
  overrides?: CliOverrides;
  /** Standard output is a terminal: progress is drawn on it as a live bar (see `CliRun.terminal`). */
  terminal?: boolean;
}

/** Starts `tabgrid args`; `run` fills as it prints, `done` resolves when it exits. */
export function startCli(args: string[], target: CliTarget): { run: CliRun; done: Promise<CliRun> } {
  const run: CliRun = { code: -1, stdout: [], stderr: [], stops: [], terminal: '' };
  const { grid } = target;
  const io: CliIO = {
    out: (line) => run.stdout.push(line),
    err: (line) => run.stderr.push(line),
    writeRaw: (stream, text) => (stream === 'out' ? run.stdout : run.stderr).push(text.trimEnd()),
    env: target.env ?? (grid ? { TABGRID_URL: grid.coordinator.url, TABGRID_TOKEN: ADMIN_TOKEN } : {}),
    cwd: target.cwd,
    onShutdown: (stop) => run.stops.push(stop),
  };
  if (grid) io.fetch = grid.fetch;
  if (target.terminal) io.terminal = fakeTerminal((text) => (run.terminal += text));
  const done = runCli(args, io, target.overrides).then((code) => {
    run.code = code;
    return run;
  });
  return { run, done };
}

/** A terminal 100 columns wide that hands on what is written to it. */
function fakeTerminal(write: (text: string) => void): TerminalStream {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      write(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY: true as const, columns: 100 });
}

/** The escape code that moves the cursor to the line's first column, as a bar's redraw starts. */
const TO_LINE_START = '\u001b[1G';

/**
 * What a terminal shows at the end of `drawn`: each line's last frame (a carriage return or a
 * move to the line's start draws over it), escape codes left out.
 */
export function lastFrames(drawn: string): string[] {
  const lines = stripVTControlCharacters(drawn.replaceAll(TO_LINE_START, '\r')).split('\n');
  return lines.map((line) => line.split('\r').filter((frame) => frame !== '').at(-1) ?? '').filter((line) => line !== '');
}

/** Runs `tabgrid args` to its end. */
export function cli(args: string[], target: CliTarget): Promise<CliRun> {
  return startCli(args, target).done;
}

/** A temp folder with the job files the CLI's tests submit, and `more`. */
export async function writeJobFiles(more: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabgrid-cli-'));
  const files: Record<string, string> = {
    'square.js': 'export default (x) => x * x;\n',
    'squares.yaml': 'name: squares\ncodeFile: square.js\ninput:\n  items: [1, 2, 3]\n  chunkSize: 2\n',
    'fails.yaml':
      'name: fails\ncode: "export default (x, ctx) => { ctx.log(`item ${x}`); if (x > 1) throw new Error(`bad ${x}`); return x; }"\n' +
      'input: { items: [1, 2] }\nretry: { maxAttempts: 1, distinctWorkers: 1 }\n',
    'broken.yaml': 'name: [oops\n',
    'validated.yaml': 'name: checked\ncodeFile: square.js\ninput: { items: [1, 2, 3], chunkSize: 1 }\nvalidation: { replicas: 2, quorum: 2, adaptive: false }\n',
    'keyed.yaml': 'name: keyed\ncodeFile: square.js\ninput: { items: [1] }\nidempotencyKey: once\n',
    'paused.yaml': 'name: later\ncodeFile: square.js\ninput: { items: [1] }\nrunMode: paused\n',
    'chatty.yaml': 'name: chatty\ncode: "export default (x, ctx) => { ctx.log(`squaring ${x}`); return x * x; }"\ninput: { items: [1, 2] }\n',
    'six.yaml': 'name: six\ncodeFile: square.js\ninput: { items: [1, 2, 3, 4, 5, 6], chunkSize: 1 }\n',
    'summed.yaml': 'name: summed\ncodeFile: square.js\ninput: { items: [1, 2, 3, 4], chunkSize: 2 }\nreduce: "export default (outputs) => outputs.reduce((a, b) => a + b, 0)"\n',
  };
  await Promise.all(Object.entries({ ...files, ...more }).map(([name, text]) => writeFile(join(dir, name), text)));
  return dir;
}

/** Where a file of CLI tests runs: the job files, fresh grids per test, and one grid with a worker for the whole file. */
export interface CliSetting {
  /** The folder with the job files (set before the first test). */
  dir: string;
  /** Coordinators without workers, one per test. */
  idle: ReturnType<typeof useRealGrids>;
  /** A coordinator with a Node worker, shared by the file's tests (set before the first test). */
  working: RealGrid;
}

/** Sets up a file of CLI tests (see `CliSetting`), with `more` job files beside the usual ones. */
export function useCliSetting(more: Record<string, string> = {}): CliSetting {
  const workers = useRealGrids('all');
  const setting = { idle: useRealGrids() } as CliSetting;
  beforeAll(async () => {
    setting.dir = await writeJobFiles(more);
    setting.working = await workers.start();
    await workers.addWorker(setting.working);
  });
  afterAll(() => rm(setting.dir, { recursive: true, force: true }));
  return setting;
}
