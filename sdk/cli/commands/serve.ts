import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Coordinator } from '../../../coordinator/index.js';
import type { CliIO } from '../io.js';
import { integerOption } from '../options.js';

/** What `tabgrid serve` passes to the coordinator. */
export interface CoordinatorOptions {
  port: number;
  host: string;
  dataDir: string;
  database?: string;
  failoverMs?: number;
  publicUrl?: string;
  leaseMs?: number;
  heartbeatMs?: number;
  maxTasks?: number;
  maxItems?: number;
  maxDepth?: number;
  logLevel: LogLevel;
}

/** The running coordinator, as `startCoordinator` resolves it (a type only: nothing of the server loads until `serve` runs). */
export type RunningCoordinator = Coordinator;

export type StartCoordinator = (options: CoordinatorOptions) => Promise<RunningCoordinator>;

interface ServeFlags {
  port: number;
  host: string;
  data: string;
  database?: string;
  failoverMs?: number;
  publicUrl?: string;
  leaseMs?: number;
  heartbeatMs?: number;
  maxTasks?: number;
  maxItems?: number;
  maxDepth?: number;
  logLevel?: LogLevel;
}

/** The levels `--log-level` takes, most to least said; `silent` logs nothing. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** Commander parser of `--log-level`. */
function logLevelOption(value: string): LogLevel {
  const level = LOG_LEVELS.find((each) => each === value);
  if (!level) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** The flag's level, else `TABGRID_LOG_LEVEL`'s, else info. */
function chooseLogLevel(flag: LogLevel | undefined, env: string | undefined): LogLevel {
  if (flag !== undefined) return flag;
  if (env === undefined || env === '') return 'info';
  const level = LOG_LEVELS.find((each) => each === env);
  if (!level) throw new Error(`TABGRID_LOG_LEVEL is ${JSON.stringify(env)}: expected one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

// Loaded on demand: the other commands only talk HTTP and should not pull in the server and its database.
async function loadCoordinator(): Promise<StartCoordinator> {
  const { startCoordinator } = await import('../../../coordinator/index.js');
  return startCoordinator;
}

/** `tabgrid serve`: runs a coordinator until SIGINT/SIGTERM. */
export function registerServe(program: Command, io: CliIO, start: () => Promise<StartCoordinator> = loadCoordinator): void {
  program
    .command('serve')
    .description('run a coordinator: volunteers join at its join URL, you watch at its admin URL')
    .option('--port <n>', 'port to listen on (0 picks a free one)', integerOption(0, 65_535), 8080)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'folder for the embedded database and blobs', './.tabgrid')
    .option('--database <url>', 'a postgres:// URL to keep everything in PostgreSQL instead; coordinators sharing one stand by for the active one (env TABGRID_DATABASE)')
    .option('--failover-ms <n>', 'how soon a standby takes over from an active coordinator that is gone (default 3000)', integerOption(300, 600_000))
    .option('--public-url <url>', 'the URL volunteers and admins reach this coordinator at (a load balancer in front of several)')
    .option('--lease-ms <n>', 'how long a task lease lasts without a heartbeat', integerOption(1, 86_400_000))
    .option('--heartbeat-ms <n>', 'how often workers renew their leases', integerOption(1, 86_400_000))
    .option('--max-tasks <n>', 'most tasks one job may make (default 100000)', integerOption(1, 100_000_000))
    .option('--max-items <n>', 'most items in one job (default 1000000)', integerOption(1, 100_000_000))
    .option('--max-depth <n>', 'deepest nesting of arrays and objects in a spec or worker message (default 64)', integerOption(1, 10_000))
    .option('--log-level <level>', `least level logged to stdout: ${LOG_LEVELS.join(', ')} (env TABGRID_LOG_LEVEL; default info); JSON lines unless stdout is a terminal`, logLevelOption)
    .action(async (flags: ServeFlags) => {
      const options = coordinatorOptions(flags, io);
      const startCoordinator = await start();
      const coordinator = await startCoordinator(options);
      // On stderr, for the operator: stdout carries the log, JSON lines a program reads.
      io.err(`join URL: ${coordinator.joinUrl}`);
      io.err(`admin URL: ${coordinator.adminUrl}`);
      io.err(`admin token: ${coordinator.adminToken}`);
      io.err(`role: ${coordinator.role()}`);
      if (coordinator.adminTokenCreated) io.err('(a new admin token was created; pass it to the CLI as --token or TABGRID_TOKEN)');
      io.onShutdown(() => coordinator.close());
    });
}

function coordinatorOptions(flags: ServeFlags, io: CliIO): CoordinatorOptions {
  const logLevel = chooseLogLevel(flags.logLevel, io.env['TABGRID_LOG_LEVEL']);
  const options: CoordinatorOptions = { port: flags.port, host: flags.host, dataDir: resolve(io.cwd, flags.data), logLevel };
  if (flags.database !== undefined) options.database = flags.database;
  if (flags.failoverMs !== undefined) options.failoverMs = flags.failoverMs;
  if (flags.publicUrl !== undefined) options.publicUrl = flags.publicUrl.replace(/\/+$/, '');
  if (flags.leaseMs !== undefined) options.leaseMs = flags.leaseMs;
  if (flags.heartbeatMs !== undefined) options.heartbeatMs = flags.heartbeatMs;
  for (const limit of ['maxTasks', 'maxItems', 'maxDepth'] as const) if (flags[limit] !== undefined) options[limit] = flags[limit];
  return options;
}
