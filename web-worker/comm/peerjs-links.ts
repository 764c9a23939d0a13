/**
 * Forming a gang's links over PeerJS: this tab's Peer dials every higher rank (so two members
 * never dial each other at once) and accepts connections only from lower ranks of the gang. A
 * connection from any other peer id, or not `reliable` with `raw` serialization, is closed
 * unread. Dials are retried until the deadline (a member may join the signalling server late).
 *
 * A dial that is given up may still open on the far side, so the dialing side says which of
 * its connections is the link: the first message on it is `HELLO`, and the side that accepted
 * takes a connection as its link only once that came. A given-up connection closing is then
 * no loss to either side.
 */
import type { DataConnection, Peer } from 'peerjs';
import { PeerConnectError } from '../../worker/index.js';

/** What the links report to the transport. */
export interface LinkEvents {
  /** A chosen, open link to `rank`; its earlier messages follow through `data`. */
  opened(rank: number, connection: DataConnection): void;
  data(rank: number, bytes: Uint8Array): void;
  /** The chosen link to `rank` closed or failed. */
  closed(rank: number, cause: Error): void;
}

/** How long one dial may take before it is given up and tried again. */
const DIAL_ATTEMPT_MS = 8_000;
/**
 * The dialer's first message on the connection it took as the link. Shorter than any wire
 * message (they start with a 32-byte header), so it cannot be mistaken for one.
 */
const HELLO = Uint8Array.of(0x74, 0x67, 0x6c, 0x6b);
const REDIAL_DELAY_MS = 250;

/**
 * The links of one member. `refused` counts connections closed because they were not from the gang.
 * @example
 * const links = new GangLinks(peer, rank, peerIds, events);
 * await links.connect(Date.now() + 30_000);
 */
export class GangLinks {
  refused = 0;
  readonly #rankOf: Map<string, number>;
  readonly #chosen = new Map<number, DataConnection>();
  /** Connections that may still become a link, closed with the links. */
  readonly #pending = new Set<DataConnection>();
  /** Dials not yet open, by connection: calling one gives the dial up and dials again. */
  readonly #retries = new Map<DataConnection, () => void>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  #allOpen: (() => void) | undefined;

  constructor(
    private readonly peer: Peer,
    private readonly rank: number,
    private readonly peerIds: readonly string[],
    private readonly events: LinkEvents,
    private readonly disconnectGraceMs: number,
  ) {
    this.#rankOf = new Map(peerIds.map((id, index) => [id, index]));
    peer.on('connection', this.#accept);
    peer.on('error', this.#peerError);
  }

  /** Resolves once every other member has an open link; rejects with `PeerConnectError` at `deadline`. */
  async connect(deadline: number): Promise<void> {
    const opened = new Promise<void>((resolve) => {
      this.#allOpen = resolve;
    });
    for (let other = this.rank + 1; other < this.peerIds.length; other++) this.#dial(other, deadline);
    this.#checkAllOpen();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PeerConnectError(this.#missingMessage(deadline))), Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([opened, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#closed = true;
    this.peer.off('connection', this.#accept);
    this.peer.off('error', this.#peerError);
    for (const timer of this.#timers) clearTimeout(timer);
    for (const connection of [...this.#chosen.values(), ...this.#pending]) connection.close();
    this.#chosen.clear();
    this.#pending.clear();
  }

  #dial(other: number, deadline: number): void {
    if (this.#closed || this.#chosen.has(other) || Date.now() >= deadline) return;
    const connection = this.peer.connect(this.peerIds[other]!, { reliable: true, serialization: 'raw', metadata: { rank: this.rank } }) as DataConnection | undefined;
    // PeerJS answers undefined once the Peer lost the signalling server: try again shortly.
    if (connection === undefined) {
      this.#later(REDIAL_DELAY_MS, () => this.#dial(other, deadline));
      return;
    }
    let retried = false;
    const retry = (): void => {
      if (retried || this.#chosen.get(other) === connection) return;
      retried = true;
      this.#drop(connection);
      this.#later(REDIAL_DELAY_MS, () => this.#dial(other, deadline));
    };
    this.#retries.set(connection, retry);
    this.#adopt(other, connection, true);
    this.#later(Math.min(DIAL_ATTEMPT_MS, Math.max(0, deadline - Date.now())), retry);
  }

  readonly #accept = (connection: DataConnection): void => {
    const other = this.#rankOf.get(connection.peer);
    const wellFormed = connection.reliable && connection.serialization === 'raw';
    if (this.#closed || other === undefined || other >= this.rank || !wellFormed || this.#chosen.has(other)) {
      this.refused++;
      connection.close();
      return;
    }
    this.#adopt(other, connection, false);
  };

  /**
   * A connection to `other` that may become the link: a dialed one when it opens first (it
   * then says `HELLO`), an accepted one when its `HELLO` comes.
   */
  #adopt(other: number, connection: DataConnection, dialed: boolean): void {
    this.#pending.add(connection);
    connection.on('data', (data) => {
      const bytes = bytesOf(data);
      if (this.#chosen.get(other) === connection) this.events.data(other, bytes);
      else if (!dialed && isHello(bytes) && !this.#closed && !this.#chosen.has(other)) this.#choose(other, connection);
      else if (!dialed) {
        // Anything before HELLO breaks the handshake: not a member's link.
        this.refused++;
        this.#drop(connection);
      }
    });
    connection.on('open', () => {
      if (!dialed) return;
      if (this.#closed || this.#chosen.has(other)) {
        this.#drop(connection);
        return;
      }
      // First on the channel, so before anything the link carries.
      connection.dataChannel.send(HELLO);
      this.#choose(other, connection);
    });
    connection.on('close', () => {
      if (this.#chosen.get(other) !== connection) {
        this.#retries.get(connection)?.();
        this.#pending.delete(connection);
      } else if (!this.#closed) {
        this.events.closed(other, new Error(`the data channel to ${connection.peer} closed`));
      }
    });
    connection.on('error', (error) => {
      if (this.#chosen.get(other) !== connection) this.#retries.get(connection)?.();
      else if (!this.#closed) this.events.closed(other, error);
    });
    this.#watchIce(other, connection);
  }

  /**
   * A tab that closes or crashes sends no goodbye: its peers see ICE go `disconnected` (consent
   * checks unanswered) and only much later `failed`. Disconnected past the grace period is lost.
   */
  #watchIce(other: number, connection: DataConnection): void {
    let grace: ReturnType<typeof setTimeout> | undefined;
    connection.on('iceStateChanged', (state) => {
      if (state === 'connected' || state === 'completed') {
        clearTimeout(grace);
        this.#timers.delete(grace!);
        grace = undefined;
      } else if (state === 'disconnected' && grace === undefined) {
        grace = setTimeout(() => {
          if (this.#chosen.get(other) === connection && !this.#closed) {
            this.events.closed(other, new Error(`ICE to ${connection.peer} stayed disconnected for ${this.disconnectGraceMs} ms`));
          }
        }, this.disconnectGraceMs);
        this.#timers.add(grace);
      }
    });
  }

  readonly #peerError = (error: Error & { type?: string }): void => {
    if (error.type !== 'peer-unavailable') return;
    // A member not on the signalling server yet: dial it again.
    for (const [connection, retry] of this.#retries) if (error.message.endsWith(`peer ${connection.peer}`)) retry();
  };

  #choose(other: number, connection: DataConnection): void {
    this.#retries.delete(connection);
    this.#pending.delete(connection);
    this.#chosen.set(other, connection);
    this.events.opened(other, connection);
    this.#checkAllOpen();
  }

  #drop(connection: DataConnection): void {
    this.#retries.delete(connection);
    this.#pending.delete(connection);
    connection.close();
  }

  #checkAllOpen(): void {
    if (this.#chosen.size === this.peerIds.length - 1) this.#allOpen?.();
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) run();
    }, ms);
    this.#timers.add(timer);
  }

  #missingMessage(deadline: number): string {
    const missing = this.peerIds.map((_, index) => index).filter((index) => index !== this.rank && !this.#chosen.has(index));
    return `rank ${this.rank} could not open data channels to rank ${missing.join(', ')} by ${new Date(deadline).toISOString()}`;
  }
}

function isHello(bytes: Uint8Array): boolean {
  return bytes.length === HELLO.length && bytes.every((byte, index) => byte === HELLO[index]);
}

function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // A text frame is no message of ours: passed on, it fails as malformed.
  return new TextEncoder().encode(String(data));
}
