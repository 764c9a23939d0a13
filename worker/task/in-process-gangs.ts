import { createInProcessNetwork, type InProcessNetwork } from '../comm/in-process.js';
import type { GangConnector } from './gang-link.js';

/**
 * Gangs whose members all run in this process (a Node worker that took every rank of a gang):
 * the first member of an attempt to connect makes an in-process network of the gang's size, the
 * others take their rank's links from it, and it is forgotten once every member has closed.
 * @example new NodeExecutor({ joinGang: inProcessGangs() })
 */
export function inProcessGangs(): GangConnector {
  const networks = new Map<string, { network: InProcessNetwork; open: number }>();
  return (gang) => {
    let entry = networks.get(gang.attempt);
    if (!entry) {
      entry = { network: createInProcessNetwork(gang.size), open: 0 };
      networks.set(gang.attempt, entry);
    }
    const transport = entry.network.transports[gang.rank];
    if (!transport || entry.network.transports.length !== gang.size) {
      return Promise.reject(new Error(`rank ${gang.rank} of a gang of ${gang.size} does not fit attempt ${gang.attempt}'s in-process network`));
    }
    const held = entry;
    held.open++;
    let closed = false;
    return Promise.resolve({
      transport,
      close: () => {
        if (closed) return;
        closed = true;
        transport.close();
        if (--held.open === 0 && networks.get(gang.attempt) === held) networks.delete(gang.attempt);
      },
    });
  };
}
