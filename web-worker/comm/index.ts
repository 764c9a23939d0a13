/**
 * Collectives for gangs: `Comm` (what task code reaches as `ctx.comm`) over a `Transport` port,
 * with an in-process transport (Node, the local runner, tests) and a PeerJS one (tabs, WebRTC
 * data channels). Everything here runs in a browser and under Node.
 * @example
 * // in a tab: the gang's peer ids come with the lease
 * const peer = new Peer(peerIds[rank], { host, port, path, key, config: { iceServers: [] } });
 * const comm = createComm(await createPeerJsTransport({ peer, rank, peerIds }), { tensors: ctx.tensor });
 * const mean = await comm.allReduce(gradients, 'mean');
 * @example
 * // in one process
 * const comms = createInProcessGang(4);
 * const sums = await Promise.all(comms.map((comm) => comm.allReduce(Float32Array.of(comm.rank))));
 */
export type { CallOptions, Comm, CommOptions, CommStats } from './comm.js';
export { createComm } from './gang-comm.js';
export { createInProcessGang, createInProcessNetwork, type InProcessNetwork, type InProcessNetworkOptions, type NetworkStats } from './in-process.js';
export { createPeerJsTransport, type PeerJsTransport, type PeerJsTransportOptions } from './peerjs-transport.js';
export { CHROMIUM_MAX_MESSAGE_BYTES, DEFAULT_LOW_WATER_BYTES, type MessageListener, type PeerLostListener, type Transport } from './transport.js';
export type { CommValue, JsonValue, NumericValue } from './values.js';
export { segmentBounds } from './ring.js';
export { expectedReduction, firstMismatch, rankValues } from './test-pattern.js';
export type * from './lab-protocol.js';
export { HEADER_BYTES, OPS, REDUCE_OPS, WIRE_VERSION, decodeMessage, encodeMessage, type MessageHeader, type OpName, type ReduceOp } from './wire.js';
export {
  CollectiveTimeoutError,
  CommClosedError,
  CommProtocolError,
  CommUsageError,
  MessageTooLargeError,
  PeerConnectError,
  PeerLostError,
  isCollectiveTimeoutError,
  isCommClosedError,
  isCommProtocolError,
  isCommUsageError,
  isMessageTooLargeError,
  isPeerConnectError,
  isPeerLostError,
} from './errors.js';
