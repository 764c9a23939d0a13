import WebSocket from 'ws';
import { CoordinatorMessage, type WorkerMessageInput } from '../shared/index.js';

/**
 * A minimal worker for the dispatch benchmark: speaks the real protocol over a real socket,
 * runs no-op tasks, and times each ask → lease. It stays out of the way so the figures are
 * the coordinator's.
 */
export class BenchWorker {
  readonly latenciesMs: number[] = [];
  private askedAt = 0;
  private socket: WebSocket | undefined;
  /** Asking for work (between `start` and `stop`). */
  private working = false;
  done = 0;

  constructor(private readonly socketUrl: string) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.socketUrl);
      this.socket = socket;
      socket.on('error', reject);
      socket.on('open', () => {
        this.send({ type: 'hello', capabilities: { runtime: 'node', webgpu: null, userAgent: 'tabgrid-bench' } });
      });
      socket.on('message', (data: Buffer) => {
        const message = CoordinatorMessage.parse(JSON.parse(data.toString('utf8')));
        if (message.type === 'welcome') resolve();
        else if (message.type === 'lease') this.run(message.leaseId, message.input.kind === 'items' ? message.input.items.length : 1);
        else if (message.type === 'ack' && message.status === 'accepted') this.done++;
      });
    });
  }

  /** Starts asking for tasks. */
  start(): void {
    this.working = true;
    this.ask();
  }

  /** Takes back its ask: the job ended. */
  stop(): void {
    this.working = false;
    this.send({ type: 'withdraw' });
  }

  close(): void {
    this.socket?.close();
  }

  private run(leaseId: string, outputs: number): void {
    this.latenciesMs.push(performance.now() - this.askedAt);
    this.send({ type: 'result', leaseId, outputs: new Array<null>(outputs).fill(null) });
    if (this.working) this.ask();
  }

  private ask(): void {
    this.askedAt = performance.now();
    this.send({ type: 'ask' });
  }

  private send(message: WorkerMessageInput): void {
    this.socket?.send(JSON.stringify(message));
  }
}

/** `count` benchmark workers connected to the coordinator that printed this join URL. */
export async function connectBenchWorkers(joinUrl: string, count: number): Promise<BenchWorker[]> {
  const url = new URL(joinUrl);
  const token = url.searchParams.get('token') ?? '';
  const socketUrl = `${url.origin.replace(/^http/, 'ws')}/api/v1/worker?token=${encodeURIComponent(token)}`;
  const workers = Array.from({ length: count }, () => new BenchWorker(socketUrl));
  await Promise.all(workers.map((worker) => worker.connect()));
  return workers;
}
