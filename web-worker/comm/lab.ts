/**
 * The comm lab page: joins a PeerJS server, forms a gang with the other tabs, and runs
 * collectives, raw link measurements and timings on request, for the browser tests and the
 * benchmark. Exposed as `window.commLab`; with `?rank=&size=&ids=&peerHost=&peerPort=&peerPath=&key=`
 * it joins by itself, and `document.body.dataset.state` says `ready` or `failed`.
 */
import { Peer } from 'peerjs';
import { Tensor, TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import type { Comm } from '../../worker/index.js';
import { createComm } from '../../worker/index.js';
import type { CommLab, CommLabJoin, LabFloats, LabOutcome, LabResult, LabRun, RawReceived, StrangerDial } from './lab-protocol.js';
import { type RawSession, RawTap } from './lab-raw.js';
import { createPeerJsTransport } from './peerjs-transport.js';
import { expectedReduction, firstMismatch, rankValues } from '../../worker/testing.js';
import type { NumericValue } from '../../worker/index.js';
import { encodeMessage } from '../../worker/index.js';

declare global {
  interface Window {
    commLab: CommLab;
  }
}

interface Joined {
  readonly comm: Comm;
  readonly tap: RawTap;
  readonly peer: Peer;
  readonly rank: number;
  readonly size: number;
  readonly refused: () => number;
}

const core = new TensorCore(createCpuBackend());
let joined: Joined | undefined;
let raw: { session: RawSession; received: Promise<RawReceived | null> } | undefined;

function gang(): Joined {
  if (joined === undefined) throw new Error('the lab has not joined a gang: call commLab.start first');
  return joined;
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function floats(value: NumericValue): Promise<LabFloats> {
  const values = value instanceof Tensor ? await value.data() : value;
  const base64 = toBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return value instanceof Tensor ? { base64, shape: [...value.shape] } : { base64 };
}

async function floatsOrNull(value: NumericValue | undefined): Promise<LabFloats | null> {
  return value === undefined ? null : floats(value);
}

async function allFloats(values: readonly NumericValue[] | undefined): Promise<LabFloats[] | null> {
  return values === undefined ? null : Promise.all(values.map(floats));
}

async function runCollective({ comm, rank, size }: Joined, request: LabRun): Promise<LabResult> {
  const { length, op = 'sum', root = 0 } = request;
  const options = request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs };
  const own = rankValues(rank, length);
  const input: NumericValue = request.tensor === true ? core.tensor(own, [length]) : own;
  switch (request.collective) {
    case 'allReduce':
      return floats(await comm.allReduce(input, op, options));
    case 'reduceScatter':
      return floats(await comm.reduceScatter(input, op, options));
    case 'reduce':
      return floatsOrNull(await comm.reduce(input, op, root, options));
    case 'broadcast':
      return floats(await comm.broadcast(rank === root ? input : undefined, root, options));
    case 'gather':
      return allFloats(await comm.gather(input, root, options));
    case 'allGather':
      return allFloats(await comm.allGather(input, options));
    case 'barrier':
      await comm.barrier(options);
      return null;
    case 'sendRecv': {
      const [, received] = await Promise.all([comm.send((rank + 1) % size, input, options), comm.recv<NumericValue>((rank - 1 + size) % size, options)]);
      return floats(received);
    }
    case 'json': {
      const gathered = await comm.allGather({ rank, text: `tab ${rank}` }, options);
      const announced = await comm.broadcast(rank === root ? { from: root, list: [1, 'two', null] } : undefined, root, options);
      return { gathered, announced };
    }
  }
}

async function start(join: CommLabJoin): Promise<{ rank: number; size: number; maxMessageBytes: number }> {
  if (joined !== undefined) throw new Error('the lab already joined a gang');
  const id = join.ids[join.rank];
  if (id === undefined || join.ids.length !== join.size) throw new Error(`rank ${join.rank} has no id among ${join.ids.length} for a gang of ${join.size}`);
  const peer = new Peer(id, { host: join.peerHost, port: join.peerPort, path: join.peerPath, key: join.key, config: { iceServers: [] }, debug: 1 });
  const timeoutMs = join.timeoutMs ?? 30_000;
  try {
    const transport = await createPeerJsTransport({ peer, rank: join.rank, peerIds: join.ids, timeoutMs });
    const tap = new RawTap(transport);
    const comm = createComm(tap, { timeoutMs, tensors: core, ...(join.messageBytes === undefined ? {} : { messageBytes: join.messageBytes }) });
    joined = { comm, tap, peer, rank: join.rank, size: join.size, refused: () => transport.refusedConnections };
    return { rank: join.rank, size: join.size, maxMessageBytes: transport.maxMessageBytes };
  } catch (error) {
    peer.destroy();
    throw error;
  }
}

async function dialAsStranger(request: StrangerDial): Promise<{ opened: boolean; sent: boolean; closed: boolean }> {
  const peer = new Peer(request.ownId, { host: request.peerHost, port: request.peerPort, path: request.peerPath, key: request.key, config: { iceServers: [] }, debug: 1 });
  const seen = { opened: false, sent: false, closed: false };
  peer.on('open', () => {
    const connection = peer.connect(request.targetId, { reliable: true, serialization: 'raw' });
    connection.on('open', () => {
      seen.opened = true;
      const forged = encodeMessage({ op: 'barrier', kind: 'value', detail: 1, seq: 0, step: 0, chunk: 0, total: 0, offset: 0, length: 0, root: 0 }, new Uint8Array(0));
      void Promise.resolve(connection.send(forged)).then(() => (seen.sent = true));
    });
    connection.on('close', () => (seen.closed = true));
  });
  await new Promise((resolve) => setTimeout(resolve, request.waitMs));
  peer.destroy();
  return seen;
}

window.commLab = {
  start,
  async run(request: LabRun): Promise<LabOutcome> {
    const began = performance.now();
    try {
      const result = await runCollective(gang(), request);
      return { ok: true, result, ms: performance.now() - began };
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      return { ok: false, error: { name, message }, ms: performance.now() - began };
    }
  },
  armRaw({ from, bytes }) {
    const session = gang().tap.arm();
    raw = { session, received: from === undefined || bytes === undefined ? Promise.resolve(null) : session.expect(from, bytes) };
  },
  rawSend({ to, bytes, messageBytes, highWaterBytes }) {
    if (raw === undefined) throw new Error('arm the raw measurement first');
    return raw.session.send(to, bytes, messageBytes, highWaterBytes);
  },
  async disarmRaw() {
    if (raw === undefined) throw new Error('no raw measurement is armed');
    const received = await raw.received;
    gang().tap.disarm();
    raw = undefined;
    return received;
  },
  async timeAllReduce({ floats: length, repeats }) {
    const { comm, rank, size } = gang();
    const input = rankValues(rank, length);
    const seconds: number[] = [];
    let exact = true;
    for (let repeat = 0; repeat < repeats; repeat++) {
      await comm.barrier();
      const began = performance.now();
      const sum = await comm.allReduce(input, 'sum');
      seconds.push((performance.now() - began) / 1000);
      if (repeat === 0) exact = firstMismatch(sum, expectedReduction('sum', size, length)) === -1;
    }
    return { seconds, exact };
  },
  stats: () => ({ comm: gang().comm.stats(), refusedConnections: gang().refused() }),
  dialAsStranger,
  close() {
    joined?.comm.close();
    joined?.peer.destroy();
    joined = undefined;
  },
};

const params = new URLSearchParams(location.search);
const ids = params.get('ids');
if (ids !== null) {
  const join: CommLabJoin = {
    rank: Number(params.get('rank')),
    size: Number(params.get('size')),
    ids: ids.split(','),
    peerHost: params.get('peerHost') ?? location.hostname,
    peerPort: Number(params.get('peerPort') ?? location.port),
    peerPath: params.get('peerPath') ?? '/peerjs',
    key: params.get('key') ?? 'peerjs',
  };
  start(join).then(
    () => (document.body.dataset['state'] = 'ready'),
    (error: unknown) => {
      document.body.dataset['state'] = 'failed';
      document.body.dataset['error'] = String(error);
    },
  );
}
document.body.dataset['loaded'] = 'true';
