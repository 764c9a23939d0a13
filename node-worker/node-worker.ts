import { availableParallelism } from 'node:os';
import { WebSocket } from 'ws';
import {
  codeFetcherOf,
  createBlobReader,
  httpShardReader,
  MemoryBlobCache,
  MemoryWorkerStore,
  workerSocketUrl,
  WorkerClient,
  type SocketFactory,
} from '../worker/index.js';
import { nodeCapabilities } from './capabilities.js';
import { NodeExecutor } from './executor.js';

/** A join URL that is not `http(s)://host:port/join?token=...`. */
export class JoinUrlError extends Error {
  override readonly name = 'JoinUrlError';
}

/** Options of {@link startNodeWorker}. */
export interface NodeWorkerOptions {
  /**
   * The join URL `tabgrid serve` prints; `&debug=1` makes this a debug worker.
   * @example 'http://127.0.0.1:8080/join?token=3f9a...'
   */
  joinUrl: string;
  /**
   * Tasks run at once, each in its own worker thread.
   * @default os.availableParallelism(): one per core
   */
  concurrency?: number;
  /**
   * Take `debug` jobs (their tasks log everything and stop at a `debugger` statement while an
   * inspector is attached: `node --inspect`).
   * @default false, or true when the join URL has `debug=1`
   */
  debug?: boolean;
  /** @default (url) => new WebSocket(url) from `ws` */
  connect?: SocketFactory;
  /**
   * Cap of the in-memory blob cache (task code, WASM modules, `ctx.blob` inputs), in bytes.
   * @default 256 MiB
   */
  blobCacheBytes?: number;
}

/** A running Node worker. */
export interface NodeWorker {
  /** The protocol client: subscribe to its events, read its snapshot, pause or resume it. */
  client: WorkerClient;
  /** Disconnects, stops running tasks and ends their threads. */
  stop(): Promise<void>;
}

/** Where a join URL points: the coordinator's origin, the join token, and whether it asks for debug. */
export interface JoinTarget {
  origin: string;
  token: string;
  debug: boolean;
}

/**
 * Reads a join URL.
 * @throws {JoinUrlError} when it is not an http(s) URL with a `token`
 * @example parseJoinUrl('http://127.0.0.1:8080/join?token=abc&debug=1') // { origin: 'http://127.0.0.1:8080', token: 'abc', debug: true }
 */
export function parseJoinUrl(joinUrl: string): JoinTarget {
  let url: URL;
  try {
    url = new URL(joinUrl);
  } catch {
    throw new JoinUrlError(`not a join URL: ${joinUrl} (expected http://host:port/join?token=...)`);
  }
  const token = url.searchParams.get('token');
  if (!/^https?:$/.test(url.protocol) || !token) {
    throw new JoinUrlError(`not a join URL: ${joinUrl} (expected http://host:port/join?token=...)`);
  }
  return { origin: url.origin, token, debug: url.searchParams.get('debug') === '1' };
}

/**
 * Joins a coordinator as a worker, in this Node process: the same protocol client as a browser
 * tab (reconnecting with backoff, keeping its leases across reconnects), running each task in a
 * worker thread with the same task runtime.
 * @example
 * const worker = startNodeWorker({ joinUrl: 'http://127.0.0.1:8080/join?token=abc', concurrency: 4 });
 * worker.client.subscribe((event) => console.log(event.type));
 * process.on('SIGINT', () => void worker.stop());
 */
export function startNodeWorker(options: NodeWorkerOptions): NodeWorker {
  const target = parseJoinUrl(options.joinUrl);
  const blobs = { origin: target.origin, token: target.token };
  const concurrency = options.concurrency ?? availableParallelism();
  const executor = new NodeExecutor({ keepIdle: concurrency });
  // A Node worker keeps nothing across restarts: its store and blob cache live in memory.
  const store = new MemoryWorkerStore({ blobs: new MemoryBlobCache(options.blobCacheBytes) });
  const readBlob = createBlobReader({ ...blobs, cache: store.blobs });
  const client = new WorkerClient({
    url: workerSocketUrl(target.origin, target.token),
    connect: options.connect ?? ((url) => new WebSocket(url)),
    executor,
    fetchCode: codeFetcherOf(readBlob),
    readBlob,
    readShard: httpShardReader(blobs),
    store,
    capabilities: nodeCapabilities(options.debug ?? target.debug),
    concurrency,
  });
  client.start();
  return {
    client,
    stop: async () => {
      client.stop();
      await executor.close();
    },
  };
}
