/**
 * A gang member's links, held by the executor (a tab's page, a Node worker's main thread) and
 * lent to the task's isolated runtime over a `MessagePort`: task code there gets `ctx.comm`.
 * The links are opened before the task starts (so a gang that cannot form fails the attempt
 * at once) and outlive the task a little when it succeeds, so that what it sent last reaches
 * members still reading.
 */
import type { GangMembership, TaskLease } from '../../shared/index.js';
import { relayTransport, type CommPort } from '../comm/port-transport.js';
import { describeFailure, TaskFailedError } from '../errors.js';
import type { Transport } from '../comm/transport.js';

/** Open links to the other members, and how to close them. */
export interface GangLinks {
  readonly transport: Transport;
  /** Closes the links (the other members see this rank as lost) and frees what they hold. */
  close(): void;
}

/** Opens a member's links: PeerJS data channels in a tab, an in-process network in a Node worker. */
export type GangConnector = (gang: GangMembership) => Promise<GangLinks>;

/** What the task's runtime needs to build `ctx.comm`: the port to the links, and the gang's shape. */
export interface GangPort {
  readonly port: CommPort;
  readonly rank: number;
  readonly size: number;
  readonly maxMessageBytes: number;
  /** How long a collective waits for the others. */
  readonly timeoutMs: number;
}

/** The longest a finished member keeps its links open for the others. */
const MAX_LINGER_MS = 60_000;

/**
 * One member's links for one task, relayed over a fresh `MessageChannel`.
 * @example
 * const link = await GangLink.open(lease.gang, connect);
 * worker.postMessage({ ...runRequest(lease, source, blobs, settings), comm: link.port }, [link.port.port]);
 * // ... when the task ends:
 * link.end(outcome.ok);
 */
export class GangLink {
  #stopRelay: (() => void) | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(
    private readonly links: GangLinks,
    /** Goes to the task's runtime (transfer `port.port`). */
    readonly port: GangPort,
    relay: CommPort,
    private readonly lingerMs: number,
  ) {
    this.#stopRelay = relayTransport(links.transport, relay);
  }

  /**
   * Opens the links of `gang`'s member with `connect`; rejects as `connect` does (the gang could
   * not form: a `PeerConnectError` in a tab).
   */
  static async open(gang: GangMembership, connect: GangConnector): Promise<GangLink> {
    const links = await connect(gang);
    const channel = new MessageChannel();
    const { transport } = links;
    const port: GangPort = { port: channel.port2, rank: gang.rank, size: gang.size, maxMessageBytes: transport.maxMessageBytes, timeoutMs: gang.timeoutMs };
    return new GangLink(links, port, channel.port1, Math.min(gang.timeoutMs, MAX_LINGER_MS));
  }

  /**
   * The task ended. After a failure the links close at once, so the others fail fast; after a
   * success they stay open as long as a collective may wait (the gang's timeout, at most a
   * minute), for members still reading what this one sent last. The relay keeps going until the
   * task's side says `close` on the port, after its last sends: the task's outcome travels on
   * another channel and may arrive before them.
   */
  end(succeeded: boolean): void {
    if (!succeeded) return this.close();
    this.#closeTimer ??= setTimeout(() => this.close(), this.lingerMs);
    // A lingering gang must not keep a Node process alive.
    (this.#closeTimer as { unref?: () => void }).unref?.();
  }

  /** Closes the links now. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#closeTimer);
    this.#stopRelay?.();
    this.links.close();
  }
}

/**
 * The gang side of an executor: opens each member's links before its task starts, ends them
 * with the task, and lets an abort stop a member whose gang is still forming.
 * @example
 * const members = new GangMembers(options.joinGang);
 * run(lease, ...) { return lease.gang ? members.run(lease, (port) => start(lease, port)) : start(lease); }
 * abort(leaseId) { members.abort(leaseId, new TaskAbortedError(...)); ... }
 */
export class GangMembers {
  /** Members still forming their links, by lease: aborting one rejects it. */
  readonly #joining = new Map<string, (error: Error) => void>();

  constructor(private readonly connect: GangConnector | undefined) {}

  /**
   * Runs a gang member's task with `start`, given the port to its links. Fails with a
   * `TaskFailedError` (cause `gang`) when the gang cannot form.
   */
  async run(lease: TaskLease, start: (port: GangPort) => Promise<unknown[]>): Promise<unknown[]> {
    const { gang, leaseId } = lease;
    const connect = this.connect;
    if (!gang || !connect) throw new TaskFailedError({ message: 'this worker cannot join gangs: it has no way to reach other members' });
    const link = await new Promise<GangLink>((resolve, reject) => {
      this.#joining.set(leaseId, reject);
      GangLink.open(gang, connect).then(
        (opened) => (this.#joining.has(leaseId) ? resolve(opened) : opened.close()),
        (error: unknown) => reject(new TaskFailedError(describeFailure(error))),
      );
    }).finally(() => this.#joining.delete(leaseId));
    try {
      const outputs = await start(link.port);
      link.end(true);
      return outputs;
    } catch (error) {
      link.end(false);
      throw error;
    }
  }

  /** Stops a member whose links are still forming; false when `leaseId` is not one. */
  abort(leaseId: string, error: Error): boolean {
    const reject = this.#joining.get(leaseId);
    this.#joining.delete(leaseId);
    reject?.(error);
    return reject !== undefined;
  }
}
