import { WorkerMessage, summarizeIssues, type ErrorCode, type WorkerStatus } from '../../shared/index.js';
import { newId, type Asker, type Scheduler } from '../scheduler/index.js';
import { WorkerSession, type WorkerSocket } from './session.js';

export interface GatewayOptions {
  heartbeatMs: number;
  leaseMs: number;
  /** Bad messages a worker may send before it is disconnected. @default 5 */
  maxStrikes?: number;
}

const POLICY_VIOLATION = 1008;

/**
 * The coordinator's side of the worker socket: checks every message, turns asks into leases
 * (parking them until a task is ready), and relays results, failures, logs and heartbeats.
 */
export class WorkerGateway {
  private readonly sessions = new Map<string, WorkerSession>();
  /** Every open socket, said hello or not: shutdown must close them all or the server never stops. */
  private readonly open = new Set<WorkerSession>();
  /** Sessions with unanswered asks, in the order they asked. */
  private readonly waiting = new Set<WorkerSession>();
  private readonly tasksDone = new Map<string, number>();
  private draining = false;
  private drainAgain = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: GatewayOptions,
  ) {
    scheduler.onReady(() => this.drainInBackground());
    scheduler.onRevoke((workerId, leaseId, reason) => {
      this.sessions.get(workerId)?.send({ type: 'revoke', leaseId, reason });
    });
  }

  /** A socket opened: returns the session to pass to `receive` and `disconnect`. */
  connect(socket: WorkerSocket): WorkerSession {
    const session = new WorkerSession(socket);
    this.open.add(session);
    return session;
  }

  async receive(session: WorkerSession, text: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.strike(session, 'bad_message', 'message is not JSON');
    }
    const parsed = WorkerMessage.safeParse(json);
    if (!parsed.success) return this.strike(session, 'bad_message', summarizeIssues(parsed.error));
    const message = parsed.data;
    if (message.type === 'hello') return this.hello(session, message);
    const workerId = session.workerId;
    if (workerId === undefined) return this.strike(session, 'hello_first', `'${message.type}' before 'hello'`);
    switch (message.type) {
      case 'ask':
        session.asks++;
        this.waiting.add(session);
        return this.drainInBackground();
      case 'withdraw':
        session.asks = 0;
        return;
      case 'capabilities':
        session.capabilities = message.capabilities;
        // Parked asks may now match jobs they did not.
        return this.drainInBackground();
      case 'heartbeat':
        return this.scheduler.heartbeat(workerId);
      case 'progress':
        return this.scheduler.progress(workerId, message.leaseId, message.fraction);
      case 'log':
        return this.scheduler.log(workerId, message.leaseId, message.level, message.message);
      case 'result': {
        const status = await this.scheduler.complete(workerId, message.leaseId, message.outputs);
        if (status === 'accepted') this.tasksDone.set(workerId, (this.tasksDone.get(workerId) ?? 0) + 1);
        return session.send({ type: 'ack', leaseId: message.leaseId, status });
      }
      case 'checkpoint': {
        const outcome = await this.scheduler.checkpoint(workerId, message.leaseId, message.state);
        return session.send({ type: 'checkpointed', leaseId: message.leaseId, seq: message.seq, ...outcome });
      }
      case 'fail': {
        const status = await this.scheduler.fail(workerId, message.leaseId, message.error);
        return session.send({ type: 'ack', leaseId: message.leaseId, status });
      }
    }
  }

  disconnect(session: WorkerSession): void {
    this.open.delete(session);
    session.closed = true;
    session.asks = 0;
    const workerId = session.workerId;
    if (workerId === undefined || this.sessions.get(workerId) !== session) return;
    this.sessions.delete(workerId);
    this.scheduler.workerDisconnected(workerId);
  }

  workers(): WorkerStatus[] {
    return [...this.sessions.values()].map((session) => {
      const id = session.workerId!;
      return {
        id,
        connected: true,
        capabilities: session.capabilities!,
        joinedAt: session.joinedAt.toISOString(),
        tasksDone: this.tasksDone.get(id) ?? 0,
        currentTasks: this.scheduler.leasesOf(id).map((lease) => ({
          jobId: lease.jobId,
          taskIndex: lease.taskIndex,
          progress: lease.progress,
        })),
      };
    });
  }

  get connectedCount(): number {
    return this.sessions.size;
  }

  /** Closes every socket (coordinator shutdown). */
  closeAll(): void {
    for (const session of this.open) session.socket.close(1001, 'coordinator shutting down');
  }

  private hello(session: WorkerSession, message: Extract<WorkerMessage, { type: 'hello' }>): void {
    if (session.workerId !== undefined) return this.strike(session, 'out_of_turn', 'second hello on one socket');
    const workerId = message.workerId ?? newId('w');
    const previous = this.sessions.get(workerId);
    if (previous) {
      previous.closed = true;
      previous.socket.close(4000, 'replaced by a newer connection of this worker');
    }
    session.workerId = workerId;
    session.capabilities = message.capabilities;
    this.sessions.set(workerId, session);
    const kept = this.scheduler.reattach(workerId, message.leases);
    session.send({ type: 'welcome', workerId, heartbeatMs: this.options.heartbeatMs, leaseMs: this.options.leaseMs, kept });
  }

  private strike(session: WorkerSession, code: ErrorCode, message: string): void {
    session.strikes++;
    session.send({ type: 'error', code, message });
    if (session.strikes >= (this.options.maxStrikes ?? 5)) {
      session.socket.close(POLICY_VIOLATION, 'too many bad messages');
      this.disconnect(session);
    }
  }

  private drainInBackground(): void {
    this.drain().catch((error: unknown) => console.error('could not lease a task:', error));
  }

  /**
   * Answers parked asks, oldest first, while any of them can be given a task (a worker may
   * not match every job, so one worker's "nothing for you" does not stop the others). One
   * drain runs at a time; a drain asked for meanwhile runs right after.
   */
  private async drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        let granted = true;
        while (granted) {
          granted = await this.answerGangs();
          for (const session of [...this.waiting]) {
            if (await this.answerAsk(session)) granted = true;
          }
        }
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  /**
   * Starts gang tasks while waiting workers can form one; answers whether any started. The
   * scheduler hears of the waiting workers even when there are none: an elastic gang that just
   * stored a checkpoint grows only by the workers waiting then.
   */
  private async answerGangs(): Promise<boolean> {
    let started = false;
    while (this.scheduler.hasReadyGang()) {
      const leases = await this.scheduler.leaseGang(this.parkedAskers());
      if (leases.length === 0) return started;
      started = true;
      // A node worker that takes a whole gang gets one lease per rank, each answering one ask.
      for (const { workerId, lease } of leases) {
        const session = this.sessions.get(workerId);
        if (!session) {
          this.scheduler.workerDisconnected(workerId);
          continue;
        }
        session.asks = Math.max(0, session.asks - 1);
        if (session.asks === 0) this.waiting.delete(session);
        session.send(lease);
      }
    }
    return started;
  }

  /** The workers with asks parked, oldest first, and how many each has. */
  private parkedAskers(): Asker[] {
    return [...this.waiting]
      .filter((session) => session.ready && session.asks > 0)
      .map((session) => ({ id: session.workerId!, capabilities: session.capabilities!, asks: session.asks }));
  }

  /** Leases one task to this session if there is one for it; answers whether it did. */
  private async answerAsk(session: WorkerSession): Promise<boolean> {
    if (!session.ready || session.asks === 0) {
      this.waiting.delete(session);
      return false;
    }
    const lease = await this.scheduler.leaseNext({ id: session.workerId!, capabilities: session.capabilities! });
    if (!lease) return false;
    session.asks--;
    // Round robin: a worker with more asks goes to the back of the line.
    this.waiting.delete(session);
    if (session.asks > 0 && !session.closed) this.waiting.add(session);
    if (session.closed) this.scheduler.workerDisconnected(session.workerId!);
    session.send(lease);
    return true;
  }
}
