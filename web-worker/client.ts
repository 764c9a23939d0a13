import type { CoordinatorMessage, TaskLease, WorkerMessageInput } from '../shared/index.js';
import type { ConnectionState, WorkerClientEvent, WorkerClientListener, WorkerClientSnapshot } from './client-events.js';
import type { WorkerClientOptions } from './client-ports.js';
import { LeaseCheckpoints } from './lease-checkpoints.js';
import { logMessage, parseCoordinatorMessage, progressMessage, type TaskReport } from './messages.js';
import { ReconnectingSocket, type SocketEvents } from './reconnecting-socket.js';
import { RunningTasks, type RunningTaskEvents } from './running-tasks.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/**
 * The volunteer's side of the worker protocol, independent of the runtime: it connects, says
 * `hello`, keeps its leases alive with heartbeats, asks for tasks, runs them, sends their
 * checkpoints, reports each result until it is acknowledged (across reconnects), and reconnects
 * whenever the socket closes.
 * @example
 * const client = new WorkerClient({ url, connect: (u) => new WebSocket(u), executor, fetchCode, capabilities });
 * client.subscribe((event) => render(client.snapshot(), event));
 * client.start();
 */
export class WorkerClient {
  readonly #options: WorkerClientOptions;
  readonly #timers: Timers;
  readonly #socket: ReconnectingSocket;
  readonly #tasks: RunningTasks;
  readonly #listeners = new Set<WorkerClientListener>();
  /** Finished tasks' reports, until the coordinator acknowledges them. */
  readonly #outbox = new Map<string, TaskReport>();
  readonly #checkpoints = new LeaseCheckpoints();
  #welcomed = false;
  #heartbeatTimer: TimerHandle = undefined;
  #paused = false;
  #workerId: string | null = null;
  #tasksDone = 0;
  /** Asks sent on this connection and not answered by a lease yet. */
  #openAsks = 0;

  constructor(options: WorkerClientOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    const { url, connect, backoff, random, executor, fetchCode } = options;
    this.#socket = new ReconnectingSocket({ url, connect, timers: this.#timers, backoff, random }, this.#socketEvents());
    const progressIntervalMs = options.progressIntervalMs ?? 250;
    this.#tasks = new RunningTasks({ executor, fetchCode, timers: this.#timers, progressIntervalMs }, this.#taskEvents());
  }

  /** Connects, and keeps reconnecting until {@link stop}. */
  start(): void {
    this.#socket.start();
  }

  /** Closes the connection for good and aborts running tasks; unsent results are dropped. */
  stop(): void {
    this.#connectionClosed();
    this.#socket.stop();
    for (const leaseId of this.#tasks.leaseIds()) this.#abortTask(leaseId, 'worker stopped');
    this.#checkpoints.dropAll('worker stopped');
    this.#outbox.clear();
  }

  /** Stops asking for tasks (taking back an unanswered ask); running tasks finish. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    if (this.#openAsks > 0 && this.#send({ type: 'withdraw' })) this.#openAsks = 0;
    this.#emit({ type: 'state' });
  }

  /** Asks for tasks again after {@link pause}. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#askForWork();
    this.#emit({ type: 'state' });
  }

  /** Where things stand now. */
  snapshot(): WorkerClientSnapshot {
    return {
      connection: this.#connection(),
      reconnectAt: this.#socket.retryAt,
      paused: this.#paused,
      workerId: this.#workerId,
      tasksDone: this.#tasksDone,
      tasks: this.#tasks.views(),
      unsent: this.#outbox.size,
    };
  }

  /** Calls `listener` for every event from now on; returns a function that unsubscribes. */
  subscribe(listener: WorkerClientListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #socketEvents(): SocketEvents {
    return {
      open: () => this.#sendHello(),
      message: (data) => this.#receive(data),
      closed: () => {
        if (this.#welcomed) this.#emit({ type: 'warning', message: 'lost the connection to the coordinator' });
        this.#connectionClosed();
      },
      changed: () => this.#emit({ type: 'state' }),
      warning: (message) => this.#emit({ type: 'warning', message }),
    };
  }

  #taskEvents(): RunningTaskEvents {
    // Logs and progress between a reconnect and its welcome would name leases the
    // coordinator may not keep: they are shown here but not sent.
    return {
      log: (leaseId, level, message) => {
        if (this.#welcomed) this.#send(logMessage(leaseId, level, message));
        this.#emit({ type: 'task-log', leaseId, level, message });
      },
      progress: (leaseId, fraction) => this.#emit({ type: 'task-progress', leaseId, fraction }),
      progressReport: (leaseId, fraction) => {
        if (this.#welcomed) this.#send(progressMessage(leaseId, fraction));
      },
      // Unanswered checkpoints wait across a reconnect: the latest is sent again after the welcome.
      checkpoint: (leaseId, state) => {
        const { message, answer } = this.#checkpoints.add(leaseId, state);
        if (message && this.#welcomed) this.#send(message);
        return answer;
      },
      finished: (lease, report) => this.#taskFinished(lease, report),
    };
  }

  #connection(): ConnectionState {
    switch (this.#socket.state) {
      case 'idle':
      case 'stopped':
        return this.#socket.state;
      case 'waiting':
        return 'reconnecting';
      default:
        return this.#welcomed ? 'connected' : 'connecting';
    }
  }

  #sendHello(): void {
    // Finished but unacknowledged tasks are still held: their reports go out if they are kept.
    const leases = [...this.#tasks.leaseIds(), ...this.#outbox.keys()];
    const hello: WorkerMessageInput = { type: 'hello', leases, capabilities: this.#options.capabilities };
    if (this.#workerId !== null) hello.workerId = this.#workerId;
    this.#send(hello);
  }

  /** Forgets what belonged to the closed connection: its asks, its welcome, its heartbeat. */
  #connectionClosed(): void {
    this.#welcomed = false;
    this.#openAsks = 0;
    this.#timers.clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
  }

  #receive(data: unknown): void {
    const parsed = parseCoordinatorMessage(data);
    if (!parsed.ok) {
      this.#emit({ type: 'warning', message: `ignored a message from the coordinator: ${parsed.reason}` });
      return;
    }
    this.#dispatch(parsed.message);
  }

  #dispatch(message: CoordinatorMessage): void {
    switch (message.type) {
      case 'welcome':
        return this.#welcome(message);
      case 'lease':
        return this.#lease(message);
      case 'ack':
        return this.#ack(message);
      case 'checkpointed':
        return this.#checkpointed(message);
      case 'revoke':
        this.#abortTask(message.leaseId, `revoked: ${message.reason}`);
        this.#outbox.delete(message.leaseId);
        return this.#askForWork();
      case 'error':
        return this.#emit({ type: 'coordinator-error', code: message.code, message: message.message });
    }
  }

  #welcome(message: Extract<CoordinatorMessage, { type: 'welcome' }>): void {
    this.#welcomed = true;
    this.#workerId = message.workerId;
    this.#socket.succeeded();
    this.#timers.clearInterval(this.#heartbeatTimer);
    if (message.heartbeatMs > 0) {
      this.#heartbeatTimer = this.#timers.setInterval(() => this.#send({ type: 'heartbeat' }), message.heartbeatMs);
    }
    const kept = new Set(message.kept);
    for (const leaseId of this.#tasks.leaseIds()) {
      if (!kept.has(leaseId)) this.#abortTask(leaseId, 'the coordinator no longer holds this lease');
      else this.#resendCheckpoint(leaseId);
    }
    for (const [leaseId, report] of [...this.#outbox]) {
      if (kept.has(leaseId)) this.#send(report);
      else this.#outbox.delete(leaseId);
    }
    this.#emit({ type: 'state' });
    this.#askForWork();
  }

  #lease(lease: TaskLease): void {
    this.#openAsks = Math.max(0, this.#openAsks - 1);
    if (this.#tasks.has(lease.leaseId) || this.#outbox.has(lease.leaseId)) return;
    // A lease that crossed a `withdraw` is still this worker's: it runs even when paused.
    this.#tasks.start(lease);
    this.#emit({ type: 'task-start', lease });
  }

  #taskFinished(lease: TaskLease, report: TaskReport): void {
    this.#checkpoints.drop(lease.leaseId, 'the task ended');
    this.#outbox.set(lease.leaseId, report);
    if (this.#welcomed) this.#send(report);
    const failure = report.type === 'fail' ? { message: report.error.message } : {};
    this.#emit({ type: 'task-end', leaseId: lease.leaseId, outcome: report.type, ...failure });
    this.#askForWork();
  }

  #abortTask(leaseId: string, reason: string): void {
    this.#checkpoints.drop(leaseId, reason);
    if (this.#tasks.abort(leaseId)) this.#emit({ type: 'task-end', leaseId, outcome: 'aborted', message: reason });
  }

  #ack(message: Extract<CoordinatorMessage, { type: 'ack' }>): void {
    const report = this.#outbox.get(message.leaseId);
    this.#outbox.delete(message.leaseId);
    if (report?.type === 'result' && message.status === 'accepted') this.#tasksDone += 1;
    const reason = message.reason === undefined ? {} : { reason: message.reason };
    this.#emit({ type: 'ack', leaseId: message.leaseId, status: message.status, ...reason });
  }

  #checkpointed(message: Extract<CoordinatorMessage, { type: 'checkpointed' }>): void {
    const { leaseId, seq, status, reason } = message;
    this.#checkpoints.answer(leaseId, seq, reason === undefined ? { status } : { status, reason });
    this.#emit({ type: 'checkpointed', leaseId, seq, status, ...(reason === undefined ? {} : { reason }) });
  }

  #resendCheckpoint(leaseId: string): void {
    const latest = this.#checkpoints.latest(leaseId);
    if (latest) this.#send(latest);
  }

  /** Sends one `ask` per free slot, unless paused or not welcomed yet. */
  #askForWork(): void {
    if (!this.#welcomed || this.#paused) return;
    const concurrency = Math.max(1, this.#options.concurrency ?? 1);
    while (this.#tasks.size + this.#openAsks < concurrency && this.#send({ type: 'ask' })) {
      this.#openAsks += 1;
    }
  }

  #send(message: WorkerMessageInput): boolean {
    return this.#socket.send(JSON.stringify(message));
  }

  #emit(event: WorkerClientEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener (the page's view) must not break the protocol.
      }
    }
  }
}
