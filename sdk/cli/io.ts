import type { FetchFunction } from '../rest.js';

/** Standard output when it is a terminal: what a live progress bar is drawn on. */
export interface TerminalStream extends NodeJS.WritableStream {
  isTTY: true;
  /** Its width in characters. */
  columns?: number;
}

/** What the CLI touches of the world, so tests can run it in-process. */
export interface CliIO {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Commander's own help and usage text, written as is. */
  writeRaw(stream: 'out' | 'err', text: string): void;
  /** Standard output when it is a terminal (progress is then a live bar on it); absent when it is a file or a pipe (progress is then plain lines). */
  terminal?: TerminalStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (job files, `--data`) are resolved against this. */
  cwd: string;
  /** The `fetch` the SDK client uses; the global one when absent. */
  fetch?: FetchFunction;
  /** Calls `stop` on SIGINT/SIGTERM, then ends the process. */
  onShutdown(stop: () => Promise<void>): void;
}

/** The real process: stdout, stderr, `process.env`, signals. */
export function processIO(): CliIO {
  // `tabgrid results JOB | head` closes the pipe early: that ends the output, it is no failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io: CliIO = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    writeRaw: (stream, text) => (stream === 'out' ? process.stdout : process.stderr).write(text),
    env: process.env,
    cwd: process.cwd(),
    onShutdown: exitOnSignal,
  };
  if (process.stdout.isTTY) io.terminal = process.stdout as TerminalStream;
  return io;
}

function exitOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second Ctrl-C while closing means "now".
    if (stopping) process.exit(130);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`error: while stopping on ${signal}: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
