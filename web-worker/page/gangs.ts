/**
 * How a tab joins a gang: a PeerJS `Peer` under the id the coordinator issued for this member,
 * registered with the signalling server on the coordinator's own origin (the only one the page's
 * Content Security Policy lets it reach), then data channels to every other member.
 */
import { Peer } from 'peerjs';
import { createPeerJsTransport } from '../comm/peerjs-transport.js';
import type { GangConnector } from '../../worker/index.js';

/**
 * A connector for `BrowserExecutor`'s `joinGang`, for a coordinator at `origin`.
 * @example new BrowserExecutor({ blobs, joinGang: peerJsGangs(location.origin) })
 */
export function peerJsGangs(origin: string): GangConnector {
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  return async (gang) => {
    const id = gang.peerIds[gang.rank];
    if (id === undefined) throw new Error(`rank ${gang.rank} has no peer id among the gang's ${gang.peerIds.length}`);
    const { path, key } = gang.signalling;
    const peer = new Peer(id, { host: url.hostname, port, secure, path, key, config: { iceServers: gang.iceServers }, debug: 1 });
    try {
      const transport = await createPeerJsTransport({ peer, rank: gang.rank, peerIds: gang.peerIds, timeoutMs: gang.timeoutMs });
      return {
        transport,
        close: () => {
          transport.close();
          peer.destroy();
        },
      };
    } catch (error) {
      peer.destroy();
      throw error;
    }
  };
}
