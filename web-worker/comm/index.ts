/**
 * The browser's side of collectives: the PeerJS transport (WebRTC data channels between tabs;
 * WebRTC exists only on a page, not in a Web Worker) and the comm lab page's protocol. The comm
 * itself (`createComm`, the in-process transport) is runtime-neutral and lives in `worker/`.
 * @example
 * const peer = new Peer(peerIds[rank], { host, port, path, key, config: { iceServers: [] } });
 * const comm = createComm(await createPeerJsTransport({ peer, rank, peerIds }), { tensors: ctx.tensor });
 * const mean = await comm.allReduce(gradients, 'mean');
 */
export { createPeerJsTransport, type PeerJsTransport, type PeerJsTransportOptions } from './peerjs-transport.js';
export type * from './lab-protocol.js';
