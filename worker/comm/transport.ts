/**
 * The port the collectives are written against: reliable, ordered, message-framed byte links
 * from this rank to every other member of the gang. Adapters: in-process (`createInProcessNetwork`,
 * for Node and tests) and PeerJS data channels (`createPeerJsTransport`, for tabs).
 */

/** Called with each message from another member, in the order that member sent them. */
export type MessageListener = (fromRank: number, bytes: Uint8Array) => void;

/** Called once when a member is gone for good; `cause` is the adapter's error. */
export type PeerLostListener = (peerRank: number, cause: Error) => void;

/**
 * Links from one rank to the others of its gang. Messages to one peer arrive in order, whole,
 * at most `maxMessageBytes` each. `send` never waits: backpressure is the caller's, through
 * `bufferedAmount` and `waitForDrain`.
 * @example
 * transport.onMessage((from, bytes) => console.log(`${bytes.length} bytes from rank ${from}`));
 * if (transport.bufferedAmount(1) > 4 << 20) await transport.waitForDrain(1);
 * transport.send(1, new Uint8Array([1, 2, 3]));
 */
export interface Transport {
  /** This member's rank, 0..size-1. */
  readonly rank: number;
  /** How many members the gang has. */
  readonly size: number;
  /** The largest message `send` accepts, in bytes. */
  readonly maxMessageBytes: number;
  /**
   * Queues `bytes` for `peerRank`. The bytes are copied before this returns, so the caller may
   * reuse the array. Throws `MessageTooLargeError` over `maxMessageBytes`, `PeerLostError`
   * when the peer is gone, `CommClosedError` after `close`.
   */
  send(peerRank: number, bytes: Uint8Array): void;
  /** Subscribes to messages; returns the unsubscribe. Messages that came before the first listener are kept for it. */
  onMessage(listener: MessageListener): () => void;
  /** Bytes queued towards `peerRank` and not yet handed to the network. */
  bufferedAmount(peerRank: number): number;
  /** Resolves once `bufferedAmount(peerRank)` is at or below the transport's low-water mark; rejects when the peer is lost. */
  waitForDrain(peerRank: number): Promise<void>;
  /** Subscribes to lost members; returns the unsubscribe. Losses before the first listener are kept for it. */
  onPeerLost(listener: PeerLostListener): () => void;
  /** Closes every link; the peers see this rank as lost. Idempotent. */
  close(): void;
}

/** The largest message Chromium's data channels take (`sctp.maxMessageSize`). */
export const CHROMIUM_MAX_MESSAGE_BYTES = 256 * 1024;

/** Where `waitForDrain` resolves, unless a transport is told otherwise. */
export const DEFAULT_LOW_WATER_BYTES = 1024 * 1024;
