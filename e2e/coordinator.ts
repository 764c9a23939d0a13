import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/sdk/cli/main.js');
const STOP_GRACE_MS = 10_000;

export interface CoordinatorOptions {
  /** Where the coordinator keeps its store. @default a fresh temp folder, removed by `stop()` */
  dataDir?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** More `serve` arguments, e.g. `['--lease-ms', '2000']`. */
  args?: string[];
  /** Passed as `--lease-ms`. */
  leaseMs?: number;
  /** Passed as `--heartbeat-ms`. */
  heartbeatMs?: number;
  /** How long to wait for the printed URLs. @default 30_000 */
  startTimeoutMs?: number;
}

/** A coordinator running as its own process, as `tabgrid serve` starts it. */
export interface CoordinatorProcess {
  /** Origin of its HTTP server, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly joinUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Sends `signal` (SIGKILL to simulate a crash) and waits for the exit; the data folder stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes the data folder if this call made it. */
  stop(): Promise<void>;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** The lines it logged so far (on stdout, one JSON object each: its stdout is no terminal), parsed; throws at a line that is not JSON. */
  logLines(): LogLine[];
}

/** One line of the coordinator's log: its level, time and message, and the event's fields (`jobId`, `requestId`, ...). */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** ISO 8601. */
  time: string;
  msg: string;
  [field: string]: unknown;
}

/**
 * Starts `node dist/sdk/cli/main.js serve` on a free port of 127.0.0.1 and waits until it
 * prints its join URL, admin URL and admin token (on stderr; its log goes to stdout).
 * @example
 * const coordinator = await startCoordinatorProcess({ leaseMs: 2000 });
 * try { await page.goto(coordinator.joinUrl); } finally { await coordinator.stop(); }
 */
export async function startCoordinatorProcess(options: CoordinatorOptions = {}): Promise<CoordinatorProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the browser tests`);
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'tabgrid-e2e-')));

  const child = spawn(process.execPath, [CLI, 'serve', ...serveArgs(options, dataDir)], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  let stdout = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', (chunk: Buffer) => {
    collect(chunk);
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', collect);

  let urls: PrintedUrls;
  try {
    urls = await waitForPrintedUrls(child, () => output, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  return {
    ...urls,
    dataDir,
    process: child,
    kill,
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await kill('SIGTERM');
      clearTimeout(timer);
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
    output: () => output,
    logLines: () => parseLogLines(stdout),
  };
}

/** The complete lines of `stdout`, each parsed as a log line. */
export function parseLogLines(stdout: string): LogLine[] {
  const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`the coordinator's stdout has a line that is not JSON: ${line}`);
      }
    });
}

function serveArgs(options: CoordinatorOptions, dataDir: string): string[] {
  const args = ['--port', '0', '--host', '127.0.0.1', '--data', dataDir];
  if (options.leaseMs !== undefined) args.push('--lease-ms', String(options.leaseMs));
  if (options.heartbeatMs !== undefined) args.push('--heartbeat-ms', String(options.heartbeatMs));
  return [...args, ...(options.args ?? [])];
}

interface PrintedUrls {
  url: string;
  joinUrl: string;
  adminUrl: string;
  adminToken: string;
}

/** Parses the three lines `serve` prints once it listens; undefined until all are there. */
export function parsePrintedUrls(output: string): PrintedUrls | undefined {
  const joinUrl = lineValue(output, 'join URL');
  const adminUrl = lineValue(output, 'admin URL');
  const adminToken = lineValue(output, 'admin token');
  if (joinUrl === undefined || adminUrl === undefined || adminToken === undefined) return undefined;
  return { url: new URL(joinUrl).origin, joinUrl, adminUrl, adminToken };
}

function lineValue(output: string, label: string): string | undefined {
  for (const line of output.split(/\r?\n/)) {
    if (line.startsWith(`${label}: `)) return line.slice(label.length + 2).trim();
  }
  return undefined;
}

function waitForPrintedUrls(child: ChildProcess, output: () => string, timeoutMs: number): Promise<PrintedUrls> {
  return new Promise((resolve, reject) => {
    const finish = (error?: Error, urls?: PrintedUrls): void => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('close', onExit);
      if (urls) resolve(urls);
      else reject(error ?? new Error('coordinator did not start'));
    };
    const check = (): void => {
      // Only complete lines count: a URL may arrive in two chunks.
      const text = output();
      const urls = parsePrintedUrls(text.slice(0, text.lastIndexOf('\n') + 1));
      if (urls) finish(undefined, urls);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(new Error(`coordinator exited (${code ?? signal}) before printing its URLs. Output:\n${output()}`));
    };
    const timer = setTimeout(() => {
      finish(new Error(`coordinator printed no join URL, admin URL and admin token in ${timeoutMs} ms. Output:\n${output()}`));
    }, timeoutMs);
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('close', onExit);
  });
}
