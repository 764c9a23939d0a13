import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SPEC_LIMITS } from '../shared/index.js';
import { createLogger, type Logger, type LogThreshold } from './log.js';
import { BACKUP_DEFAULTS } from './scheduler/index.js';

/** How to run a coordinator. Only `dataDir` has no default. */
export interface CoordinatorOptions {
  /** TCP port; 0 picks a free one. @default 8080 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Folder of the embedded store (unless `database` names another). @example './.tabgrid' */
  dataDir: string;
  /**
   * The store: a `postgres://` URL (several coordinators may share it: one active, the others
   * standing by), or the embedded SQLite file in `dataDir`. @default process.env.TABGRID_DATABASE, else SQLite
   */
  database?: string;
  /** How long an active coordinator's lease on the store lasts unrenewed: a standby takes over this long after the active is gone. @default 3000 */
  failoverMs?: number;
  /** Admin token; wins over the saved one. @default process.env.TABGRID_ADMIN_TOKEN, else generated and saved */
  adminToken?: string;
  /** URL volunteers and admins reach this coordinator at. @default `http://<host>:<port>` */
  publicUrl?: string;
  /** A lease lapses this long after the last heartbeat. @default 30000 */
  leaseMs?: number;
  /** How often workers heartbeat. @default leaseMs / 3 */
  heartbeatMs?: number;
  /** How long a disconnected worker's leases wait for it to come back. @default min(5000, leaseMs) */
  disconnectGraceMs?: number;
  /** Largest request body, in bytes; over it: 413 and nothing recorded. @default 64 MiB */
  maxBodyBytes?: number;
  /** Largest job spec, in bytes; over it the job is recorded as REJECTED (413). @default 16 MiB */
  maxSpecBytes?: number;
  /** Jobs waiting or running at once; over it a new job is recorded as REJECTED (429). @default 10000 */
  maxQueuedJobs?: number;
  /** Deepest nesting of arrays and objects in a spec or a worker's message; deeper is refused. @default 64 */
  maxDepth?: number;
  /** Most tasks one job may make; a spec that makes more is refused (413) before it is partitioned. @default 100000 */
  maxTasks?: number;
  /** Most items in one items job; more is refused (413). @default 1000000 */
  maxItems?: number;
  /**
   * A task held this long without a result may get a backup copy on another worker, when nothing
   * else is ready; also never before `backupFactor` times the job's median task time, and after
   * `backupWithoutHistoryMs` in a job with no finished task yet. @default 60000, 4, 600000
   */
  backupAfterMs?: number;
  backupFactor?: number;
  backupWithoutHistoryMs?: number;
  /** Largest task checkpoint, in JSON bytes; a larger one is refused and the last one stands. @default 1 MiB */
  maxCheckpointBytes?: number;
  /** Largest blob accepted, in bytes. @default 64 MiB */
  maxBlobBytes?: number;
  /** Largest worker socket message, in bytes. @default 64 MiB */
  maxMessageBytes?: number;
  /** ICE servers gang members use for WebRTC; none is needed on one machine or a LAN. @default [] */
  iceServers?: RTCIceServer[];
  /** Folder of the built web apps. @default dist/web of this package */
  webRoot?: string;
  /**
   * The least level logged: one JSON line per event on stdout (readable lines when stdout is a
   * terminal). An embedded coordinator says nothing unless asked. @default 'silent'
   * @example 'info'
   */
  logLevel?: LogThreshold;
  /** Where the coordinator logs its events instead (a pino logger); wins over `logLevel`. @default a logger at `logLevel` on stdout */
  logger?: Logger;
}

export type ResolvedOptions = Required<Omit<CoordinatorOptions, 'adminToken' | 'publicUrl' | 'database' | 'logLevel'>> &
  Pick<CoordinatorOptions, 'adminToken' | 'publicUrl'> & { database: string | undefined };

const MiB = 1024 * 1024;

export function resolveOptions(options: CoordinatorOptions): ResolvedOptions {
  const leaseMs = options.leaseMs ?? 30_000;
  return {
    ...options,
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    dataDir: resolve(options.dataDir),
    database: options.database ?? (process.env['TABGRID_DATABASE'] || undefined),
    failoverMs: options.failoverMs ?? 3_000,
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.max(100, Math.floor(leaseMs / 3)),
    disconnectGraceMs: options.disconnectGraceMs ?? Math.min(5_000, leaseMs),
    maxBodyBytes: options.maxBodyBytes ?? 64 * MiB,
    maxSpecBytes: options.maxSpecBytes ?? 16 * MiB,
    maxQueuedJobs: options.maxQueuedJobs ?? 10_000,
    maxDepth: options.maxDepth ?? DEFAULT_SPEC_LIMITS.maxDepth,
    maxTasks: options.maxTasks ?? DEFAULT_SPEC_LIMITS.maxTasks,
    maxItems: options.maxItems ?? DEFAULT_SPEC_LIMITS.maxItems,
    backupAfterMs: options.backupAfterMs ?? BACKUP_DEFAULTS.backupAfterMs,
    backupFactor: options.backupFactor ?? BACKUP_DEFAULTS.backupFactor,
    backupWithoutHistoryMs: options.backupWithoutHistoryMs ?? BACKUP_DEFAULTS.backupWithoutHistoryMs,
    maxCheckpointBytes: options.maxCheckpointBytes ?? MiB,
    maxBlobBytes: options.maxBlobBytes ?? 64 * MiB,
    maxMessageBytes: options.maxMessageBytes ?? 64 * MiB,
    iceServers: options.iceServers ?? [],
    webRoot: options.webRoot ?? findWebRoot(),
    logger: options.logger ?? createLogger(options.logLevel ?? 'silent'),
  };
}

/** dist/web of the package this file belongs to, whether it runs from source or from dist. */
function findWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'web');
}
