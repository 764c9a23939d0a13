import { WebSocket } from 'ws';
import { CoordinatorMessage, type TaskLease, type WorkerMessageInput } from '../shared/index.js';
import { capabilities, frameText } from './test-helpers.js';

/** What a protocol-level worker does with a lease: its outputs, a failure, or nothing ever (`stall`). */
export type Answer = (lease: TaskLease) => { outputs: unknown[] } | { fail: string } | 'stall';

/**
 * A worker that speaks the protocol over a real socket and nothing else, as any program with the
 * join URL may: it asks, answers every lease as `answer` says (honestly or not), and asks again.
 * For the trust tests: liars, saboteurs and hoarders are such workers.
 */
export class ProtocolWorker {
  workerId: string | undefined;
  readonly leases: TaskLease[] = [];
  readonly errors: { code: string; message: string }[] = [];
  readonly revoked: string[] = [];
  readonly closed: Promise<number>;
  private readonly welcomed: Promise<void>;

  constructor(
    readonly socket: WebSocket,
    private readonly answer: Answer,
    private readonly concurrency = 1,
  ) {
    let welcome: () => void = () => undefined;
    this.welcomed = new Promise((resolve) => (welcome = resolve));
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (data) => {
      const message = CoordinatorMessage.parse(JSON.parse(frameText(data)));
      if (message.type === 'welcome') {
        this.workerId = message.workerId;
        welcome();
      } else if (message.type === 'lease') this.run(message);
      else if (message.type === 'error') this.errors.push(message);
      else if (message.type === 'revoke') this.revoked.push(message.leaseId);
    });
  }

  /** Opens the socket and says hello (under `workerId`, naming `leases`, when given). */
  async join(workerId?: string, leases: string[] = []): Promise<this> {
    if (this.socket.readyState !== WebSocket.OPEN) await new Promise((resolve) => this.socket.once('open', resolve));
    this.send({ type: 'hello', capabilities, leases, concurrency: this.concurrency, ...(workerId === undefined ? {} : { workerId }) });
    await this.welcomed;
    return this;
  }

  /** Asks for as many tasks as its concurrency allows. */
  start(): this {
    for (let slot = 0; slot < this.concurrency; slot++) this.send({ type: 'ask' });
    return this;
  }

  /** Heartbeats every `ms` until the socket closes, as a live worker does. */
  heartbeatEvery(ms: number): this {
    const timer = setInterval(() => this.send({ type: 'heartbeat' }), ms);
    this.socket.once('close', () => clearInterval(timer));
    return this;
  }

  send(message: WorkerMessageInput): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private run(lease: TaskLease): void {
    this.leases.push(lease);
    const answer = this.answer(lease);
    if (answer === 'stall') return;
    if ('outputs' in answer) this.send({ type: 'result', leaseId: lease.leaseId, outputs: answer.outputs });
    else this.send({ type: 'fail', leaseId: lease.leaseId, error: { message: answer.fail } });
    this.send({ type: 'ask' });
  }
}

/** The items of an items lease. */
export function leaseItems(lease: TaskLease): number[] {
  if (lease.input.kind !== 'items') throw new Error(`expected an items lease, got ${lease.input.kind}`);
  return lease.input.items as number[];
}

/** Doubles every item: what `DOUBLE_CODE` would return. */
export const honest: Answer = (lease) => ({ outputs: leaseItems(lease).map((x) => x * 2) });
