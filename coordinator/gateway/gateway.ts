import { DEFAULT_SPEC_LIMITS, deeperThan, WorkerMessage, summarizeIssues, type CoordinatorMessage, type ErrorCode, type TaskLease, type WorkerReputation, type WorkerStatus } from '../../shared/index.js';
import type { WorkerRecord } from '../store/index.js';
import { newId, type Asker, type ReportOutcome, type Scheduler } from '../scheduler/index.js';
import { NO_OBSERVER, type Observer } from '../observer.js';
import { SILENT_LOG, type Logger } from '../log.js';
import { WorkerSession, type WorkerSocket } from './session.js';

export interface GatewayOptions {
  heartbeatMs: number;
  leaseMs: number;
  /** Bad messages a worker may send before it is disconnected. @default 5 */
  maxStrikes?: number;
  /** The most tasks one worker may hold at once, whatever it declares. @default 64 */
  maxConcurrency?: number;
  /** Log lines one task may send; later ones are dropped (one line says so). @default 1000 */
  maxLogLinesPerTask?: number;
  /** `capabilities` messages one connection may send. @default 20 */
  maxCapabilityUpdates?: number;
  /** Deepest nesting of arrays and objects in a message; deeper is a bad message. @default 64 */
  maxDepth?: number;
  /** Told of the first lease this gateway sends (an active coordinator's term has begun to serve work). */
  onFirstLease?: () => void;
  /** Told how long each ask waited for its lease. @default NO_OBSERVER */
  observer?: Observer;
  /** The coordinator's log: workers coming and going, leasing that failed. @default SILENT_LOG */
  log?: Logger;
}

const POLICY_VIOLATION = 1008;

/** What a handled message still owes once its changes are committed: its answer. */
interface Later {
  answered: Promise<void>;
}

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
  /** A lease was sent (see `onFirstLease`). */
  private leasedYet = false;
  private drainAgain = false;
  private readonly logger: Logger;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: GatewayOptions,
  ) {
    this.logger = options.log ?? SILENT_LOG;
    scheduler.onReady(() => this.drainInBackground());
    // A worker quarantined while connected is told at once (its parked asks will not be answered).
    scheduler.onQuarantine((workerId, note) => {
      const session = this.sessions.get(workerId);
      if (session) this.tellQuarantined(session, note);
    });
    scheduler.onRevoke((workerId, leaseId, reason) => {
      const session = this.sessions.get(workerId);
      session?.send({ type: 'revoke', leaseId, reason });
      // Its slot is free: an ask it left waiting may go now.
      if (session && session.asks > 0) this.drainInBackground();
    });
  }

  /** A socket opened (from this address): returns the session to pass to `receive` and `disconnect`. */
  connect(socket: WorkerSocket, remoteAddress?: string): WorkerSession {
    const session = new WorkerSession(socket, remoteAddress);
    this.open.add(session);
    return session;
  }

  /**
   * Handles a message once those before it on this socket are handled, so their effects come in
   * the order sent; resolves once it is answered. A result or failure takes effect at once and is
   * answered once committed: the worker's next ask, sent right behind it, is handled meanwhile,
   * so both land in one commit and their answers leave together.
   */
  receive(session: WorkerSession, text: string): Promise<void> {
    const handled = session.inbox.then(() => this.handle(session, text));
    session.inbox = handled.then(
      () => undefined,
      () => undefined,
    );
    return handled.then((later) => later?.answered);
  }

  private async handle(session: WorkerSession, text: string): Promise<Later | void> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.strike(session, 'bad_message', 'message is not JSON');
    }
    const maxDepth = this.options.maxDepth ?? DEFAULT_SPEC_LIMITS.maxDepth;
    if (deeperThan(json, maxDepth) !== undefined) return this.strike(session, 'bad_message', `message nested more than ${maxDepth} deep`);
    const parsed = WorkerMessage.safeParse(json);
    if (!parsed.success) return this.strike(session, 'bad_message', summarizeIssues(parsed.error));
    const message = parsed.data;
    if (message.type === 'hello') return this.hello(session, message);
    const workerId = session.workerId;
    if (workerId === undefined) return this.strike(session, 'hello_first', `'${message.type}' before 'hello'`);
    switch (message.type) {
      case 'ask':
        return this.ask(session, workerId);
      case 'withdraw':
        session.asks = 0;
        session.askedAt.length = 0;
        return;
      case 'capabilities':
        if (++session.capabilityUpdates > (this.options.maxCapabilityUpdates ?? 20)) {
          return this.strike(session, 'over_capacity', 'too many capabilities messages on one connection');
        }
        session.capabilities = message.capabilities;
        // Parked asks may now match jobs they did not.
        return this.drainInBackground();
      case 'heartbeat':
        return this.scheduler.heartbeat(workerId);
      case 'progress':
        return this.scheduler.progress(workerId, message.leaseId, message.fraction);
      case 'log':
        return this.log(session, workerId, message);
      case 'result': {
        session.logLines.delete(message.leaseId);
        const status = this.scheduler.result(workerId, message.leaseId, message.outputs);
        if (status === 'accepted') this.tasksDone.set(workerId, (this.tasksDone.get(workerId) ?? 0) + 1);
        return this.acknowledge(session, message.leaseId, status);
      }
      case 'checkpoint': {
        const outcome = await this.scheduler.checkpoint(workerId, message.leaseId, message.state);
        return session.send({ type: 'checkpointed', leaseId: message.leaseId, seq: message.seq, ...outcome });
      }
      case 'fail': {
        session.logLines.delete(message.leaseId);
        return this.acknowledge(session, message.leaseId, this.scheduler.failure(workerId, message.leaseId, message.error));
      }
    }
  }

  /** Answers a result or failure once committed. */
  private acknowledge(session: WorkerSession, leaseId: string, status: ReportOutcome): Later {
    // A lease ended: an ask that waited for a free slot may go now.
    if (session.asks > 0) this.drainInBackground();
    return { answered: this.scheduler.afterCommit(() => session.send({ type: 'ack', leaseId, status })) };
  }

  disconnect(session: WorkerSession): void {
    this.open.delete(session);
    session.closed = true;
    session.asks = 0;
    const workerId = session.workerId;
    if (workerId === undefined || this.sessions.get(workerId) !== session) return;
    this.sessions.delete(workerId);
    this.logger.info({ workerId, address: session.address }, 'worker disconnected');
    this.scheduler.workerDisconnected(workerId);
    this.scheduler.feed.publishWorkersChange();
  }

  /** The connected workers, each with its reputation. */
  async workersWithReputation(): Promise<WorkerStatus[]> {
    const workers = this.workers();
    const records = await Promise.all(workers.map((worker) => this.scheduler.workerRecord(worker.id)));
    return workers.map((worker, position) => ({ ...worker, reputation: reputationOf(records[position]!) }));
  }

  workers(): WorkerStatus[] {
    return [...this.sessions.values()].map((session) => {
      const id = session.workerId!;
      return {
        id,
        connected: true,
        capabilities: session.capabilities!,
        joinedAt: session.joinedAt.toISOString(),
        concurrency: session.concurrency,
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

  private async hello(session: WorkerSession, message: Extract<WorkerMessage, { type: 'hello' }>): Promise<void> {
    if (session.workerId !== undefined) return this.strike(session, 'out_of_turn', 'second hello on one socket');
    const workerId = message.workerId ?? newId('w');
    const previous = this.sessions.get(workerId);
    if (previous) {
      previous.closed = true;
      previous.socket.close(4000, 'replaced by a newer connection of this worker');
    }
    session.workerId = workerId;
    session.capabilities = message.capabilities;
    session.concurrency = Math.min(message.concurrency ?? 1, this.options.maxConcurrency ?? 64);
    this.sessions.set(workerId, session);
    const { runtime, webgpu } = message.capabilities;
    this.logger.info({ workerId, runtime, adapter: webgpu, address: session.address, concurrency: session.concurrency }, 'worker connected');
    this.scheduler.feed.publishWorkersChange();
    const { kept, record } = await this.scheduler.reattach(workerId, message.leases);
    const { heartbeatMs, leaseMs } = this.options;
    session.send({ type: 'welcome', workerId, heartbeatMs, leaseMs, kept, concurrency: session.concurrency });
    if (record.quarantined) this.tellQuarantined(session, record.note);
  }

  /**
   * Parks an ask until a task is ready. A worker holds at most its concurrency in leases: an ask
   * beyond that waits until a lease ends (its result may still be on the way: a worker sends its
   * next ask as soon as a task ends, and the result once stored), and asks beyond its concurrency
   * are refused (a strike), so no worker hoards a job's tasks.
   */
  private ask(session: WorkerSession, workerId: string): void {
    if (session.asks >= session.concurrency) {
      return this.strike(session, 'over_capacity', `ask refused: ${session.asks} asks are already waiting, and this worker's concurrency is ${session.concurrency}`);
    }
    if (this.scheduler.isQuarantined(workerId)) this.tellQuarantined(session, null);
    session.asks++;
    session.askedAt.push(performance.now());
    this.waiting.add(session);
    this.drainInBackground();
  }

  /** Asks this session may have answered now: its waiting asks, within the leases its concurrency leaves free. */
  private answerable(session: WorkerSession): number {
    const free = session.concurrency - this.scheduler.leasesOf(session.workerId!).length;
    return Math.max(0, Math.min(session.asks, free));
  }

  /** A task's log line, unless the task has sent its share (then one line says the rest were dropped). */
  private log(session: WorkerSession, workerId: string, message: Extract<WorkerMessage, { type: 'log' }>): void {
    const limit = this.options.maxLogLinesPerTask ?? 1000;
    const lines = (session.logLines.get(message.leaseId) ?? 0) + 1;
    if (lines > limit + 1) return;
    // Only leases this worker holds are counted: a made-up lease id must not grow the map.
    if (!this.scheduler.leasesOf(workerId).some((lease) => lease.leaseId === message.leaseId)) return;
    session.logLines.set(message.leaseId, lines);
    if (lines > limit) return this.scheduler.log(workerId, message.leaseId, 'warn', `further log lines dropped: a task may send ${limit}`);
    this.scheduler.log(workerId, message.leaseId, message.level, message.message);
  }

  private tellQuarantined(session: WorkerSession, note: string | null): void {
    if (session.toldQuarantined) return;
    session.toldQuarantined = true;
    const why = note ? `: ${note}` : '';
    session.send({ type: 'error', code: 'quarantined', message: `this worker is quarantined${why}; it gets no work until an admin releases it` });
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
    this.drain().catch((error: unknown) => this.logger.error({ err: error }, 'could not lease a task'));
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
          // Every waiting worker's ask at once: their leases are granted in this turn and
          // committed together (one transaction), not one commit after another.
          const answered = await Promise.all([...this.waiting].map((session) => this.answerAsk(session)));
          if (answered.includes(true)) granted = true;
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
        this.sendLease(session, lease);
      }
    }
    return started;
  }

  /** The workers with asks parked, oldest first, and how many each has. */
  private parkedAskers(): Asker[] {
    return [...this.waiting]
      .filter((session) => session.ready && this.answerable(session) > 0)
      .map((session) => ({ id: session.workerId!, capabilities: session.capabilities!, asks: this.answerable(session), host: session.host }));
  }

  private sendLease(session: WorkerSession, lease: CoordinatorMessage): void {
    session.send(lease);
    const askedAt = session.askedAt.shift();
    if (askedAt !== undefined) (this.options.observer ?? NO_OBSERVER).askToLease(performance.now() - askedAt);
    if (this.leasedYet) return;
    this.leasedYet = true;
    this.options.onFirstLease?.();
  }

  /** Leases one task to this session if there is one for it; answers whether it did. */
  private async answerAsk(session: WorkerSession): Promise<boolean> {
    if (!session.ready || session.asks === 0) {
      this.waiting.delete(session);
      return false;
    }
    // Its leases fill its concurrency: the ask waits (parked) until one ends.
    if (this.answerable(session) === 0) return false;
    const lease = await this.scheduler.grantNext({ id: session.workerId!, capabilities: session.capabilities!, host: session.host });
    if (!lease) return false;
    session.asks--;
    // Round robin: a worker with more asks goes to the back of the line.
    this.waiting.delete(session);
    if (session.asks > 0 && !session.closed) this.waiting.add(session);
    // Told once committed, with the other answers of that commit (an ack of the result sent
    // just before this ask among them).
    this.scheduler.afterCommit(() => this.tellLease(session, lease)).catch((error: unknown) => this.logger.error({ err: error }, 'could not lease a task'));
    return true;
  }

  /** Sends a committed lease, unless it ended meanwhile (its job was cancelled): then the ask it answered waits again. */
  private tellLease(session: WorkerSession, lease: TaskLease): void {
    if (session.closed) {
      // It left while the lease was being granted: the lease is released with its others.
      this.scheduler.workerDisconnected(session.workerId!);
      return;
    }
    if (!this.scheduler.holds(lease.leaseId)) {
      session.asks++;
      this.waiting.add(session);
      this.drainInBackground();
      return;
    }
    this.sendLease(session, lease);
  }
}

/** A worker's record as the API shows it. */
export function reputationOf(record: WorkerRecord): WorkerReputation {
  const { id, valid, invalid, streak, errors, quarantined, note } = record;
  return { id, valid, invalid, streak, errors, quarantined, note };
}
