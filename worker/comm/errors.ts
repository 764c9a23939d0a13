/**
 * Named errors of the collectives. Guards compare `name`, so they hold across realms (an error
 * rebuilt from a Web Worker's message is still recognised).
 */
import { hasErrorName } from '../../shared/index.js';

/**
 * A collective did not finish within its timeout: some member never joined it, or stalled.
 * @example throw new CollectiveTimeoutError('allReduce #3 timed out after 30000 ms; nothing from rank 2')
 */
export class CollectiveTimeoutError extends Error {
  override readonly name = 'CollectiveTimeoutError';
}

/**
 * A member of the gang went away (its tab closed, its data channel failed). Pending and later
 * operations that need it reject with this; `cause` is the transport's own error when it gave one.
 * @example throw new PeerLostError('rank 3 is lost: its data channel closed', { cause })
 */
export class PeerLostError extends Error {
  override readonly name = 'PeerLostError';

  constructor(
    message: string,
    readonly peerRank: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A member sent a message that breaks the wire protocol (bad header, wrong lengths, out of
 * order, another collective than this rank runs): the collective it belongs to rejects with this.
 * @example throw new CommProtocolError('allReduce #4: rank 1 sent chunk 3 of step 0, expected chunk 2')
 */
export class CommProtocolError extends Error {
  override readonly name = 'CommProtocolError';
}

/**
 * A collective was called wrongly: a rank outside the gang, a value of the wrong kind, a root
 * that is not a member.
 * @example throw new CommUsageError('allReduce: values are Float32Array or Tensor, got string')
 */
export class CommUsageError extends TypeError {
  override readonly name = 'CommUsageError';
}

/**
 * The gang could not be formed: the signalling server refused or was unreachable, or a member
 * could not be connected in time. `cause` is PeerJS's own error when there was one.
 * @example throw new PeerConnectError('rank 2 could not reach rank 3 within 30000 ms', { cause })
 */
export class PeerConnectError extends Error {
  override readonly name = 'PeerConnectError';
}

/**
 * An operation on a comm (or transport) that was closed.
 * @example throw new CommClosedError('allGather: this comm is closed')
 */
export class CommClosedError extends Error {
  override readonly name = 'CommClosedError';
}

/**
 * A transport was asked to carry a message larger than its links allow (Chromium: 256 KiB).
 * The collectives chunk below the limit; seeing this means a caller bypassed them.
 * @example throw new MessageTooLargeError('message of 300000 bytes; links carry at most 262144')
 */
export class MessageTooLargeError extends RangeError {
  override readonly name = 'MessageTooLargeError';
}


/** @example if (isCollectiveTimeoutError(error)) console.log('a member never joined') */
export function isCollectiveTimeoutError(error: unknown): error is CollectiveTimeoutError {
  return hasErrorName(error, 'CollectiveTimeoutError');
}

/** @example if (isPeerLostError(error)) await ctx.checkpoint(state) */
export function isPeerLostError(error: unknown): error is PeerLostError {
  return hasErrorName(error, 'PeerLostError');
}

/** @example if (isCommProtocolError(error)) console.log(error.message) */
export function isCommProtocolError(error: unknown): error is CommProtocolError {
  return hasErrorName(error, 'CommProtocolError');
}

/** @example if (isCommUsageError(error)) console.log('fix the call:', error.message) */
export function isCommUsageError(error: unknown): error is CommUsageError {
  return hasErrorName(error, 'CommUsageError');
}

/** @example if (isPeerConnectError(error)) console.log('gang not formed:', error.cause) */
export function isPeerConnectError(error: unknown): error is PeerConnectError {
  return hasErrorName(error, 'PeerConnectError');
}

/** @example if (isCommClosedError(error)) return */
export function isCommClosedError(error: unknown): error is CommClosedError {
  return hasErrorName(error, 'CommClosedError');
}

/** @example if (isMessageTooLargeError(error)) console.log(error.message) */
export function isMessageTooLargeError(error: unknown): error is MessageTooLargeError {
  return hasErrorName(error, 'MessageTooLargeError');
}
