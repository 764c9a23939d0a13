import type { Capabilities, CoordinatorMessage } from '../../shared/index.js';

/** The one thing the gateway needs of a socket: send text, close. */
export interface WorkerSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** One connected worker. */
export class WorkerSession {
  workerId: string | undefined;
  capabilities: Capabilities | undefined;
  /** Asks not yet answered by a lease. */
  asks = 0;
  /** When each of those asks came (`performance.now()`), oldest first: the metrics' ask→lease time. */
  readonly askedAt: number[] = [];
  /** Bad or out-of-turn messages so far. */
  strikes = 0;
  closed = false;
  /** Tasks it may hold at once: declared in `hello`, capped by the coordinator. */
  concurrency = 1;
  /** Its address, when it tells hosts apart (not a loopback one): replicas go to distinct hosts. */
  host: string | undefined;
  /** Messages are handled one after another, in the order sent: a result before the ask after it. */
  inbox: Promise<void> = Promise.resolve();
  /** `capabilities` messages so far (bounded per connection). */
  capabilityUpdates = 0;
  /** Log lines per lease so far (bounded per task). */
  readonly logLines = new Map<string, number>();
  /** It was told it is quarantined (once per connection). */
  toldQuarantined = false;
  readonly joinedAt = new Date();

  constructor(
    readonly socket: WorkerSocket,
    /** The peer's address, loopback or not (the log says it). */
    readonly address?: string,
  ) {
    this.host = hostOf(address);
  }

  get ready(): boolean {
    return this.workerId !== undefined && !this.closed;
  }

  send(message: CoordinatorMessage): void {
    if (this.closed) return;
    try {
      this.socket.send(JSON.stringify(message));
    } catch {
      // A socket that closed under us; its close handler cleans up.
    }
  }
}

/**
 * The host a worker's address names, or undefined where it names none that tells workers apart:
 * no address, or a loopback one (every worker on this machine shares it).
 * @example hostOf('::ffff:203.0.113.9') // '203.0.113.9'
 * @example hostOf('127.0.0.1') // undefined
 */
export function hostOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  if (plain === '::1' || plain.startsWith('127.')) return undefined;
  return plain;
}
