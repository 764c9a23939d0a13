import { checkpointProblem, type CheckpointAck } from '../../shared/index.js';
import type { Capabilities, CoordinatorMessage, TaskLease, WorkerMessageInput } from '../../shared/index.js';
import type { BlobReader } from './blob-reader.js';
import type { WorkerClientEvent, WorkerClientListener, WorkerClientSnapshot } from './client-events.js';
import type { WorkerClientOptions } from './client-ports.js';
import { CpuRest } from './cpu-rest.js';
import { BlobFetchError } from '../errors.js';
import { LeaseCheckpoints } from './lease-checkpoints.js';
import { logMessage, parseCoordinatorMessage, progressMessage, type TaskReport } from './messages.js';
import { connectionStateOf, ReconnectingSocket, type SocketEvents } from './reconnecting-socket.js';
import { ReportOutbox } from './report-outbox.js';
import { ResumableLeases } from './resumable-leases.js';
import { RunningTasks, type RunningTaskEvents, type TaskTime } from './running-tasks.js';
import { MemoryWorkerStore } from '../store/memory.js';

import { systemTimers, type TimerHandle, type Timers } from '../timers.js';
import { WorkerLedger } from './worker-ledger.js';

const noBlobs: BlobReader = (sha256) => Promise.reject(new BlobFetchError(`this worker cannot download blob ${sha256}`));

/**
 * The volunteer's side of the worker protocol, independent of the runtime: it connects, says
 * `hello`, keeps its leases alive with heartbeats, asks for tasks, runs them, sends their
 * checkpoints, reports each result until it is acknowledged (across reconnects), and reconnects
 * whenever the socket closes. Through its store it survives a reload: leases and checkpoints are
 * written before they matter, reports before they are sent, and a restarted worker reclaims its
 * leases and resumes their tasks from the latest local checkpoint.
 * @example
 * const client = new WorkerClient({ url, connect: (u) => new WebSocket(u), executor, fetchCode, capabilities });
 * client.subscribe((event) => render(client.snapshot(), event));
 * client.start();
 */
export class WorkerClient {
  readonly #options: WorkerClientOptions;
  readonly #timers: Timers;
  readonly #ledger: WorkerLedger;
  readonly #socket: ReconnectingSocket;
  readonly #tasks: RunningTasks;
  readonly #listeners = new Set<WorkerClientListener>();
  readonly #outbox: ReportOutbox;
  readonly #checkpoints = new LeaseCheckpoints();
  readonly #resumable: ResumableLeases;
  readonly #rest: CpuRest;
  /** Counts welcomes: a report is sent once per connection. */
  #connectionNumber = 0;
  #welcomed = false;
  /** Tasks the coordinator lets this worker hold at once (its welcome says; it may cap ours). */
  #allowed: number | undefined;
  #heartbeatTimer: TimerHandle = undefined;
  #paused = false;
  /** Asks sent on this connection and not answered by a lease yet. */
  #openAsks = 0;
  /** Tasks run at once now: at most what the hello declared. */
  #concurrency: number;

  constructor(options: WorkerClientOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemTimers;
    this.#concurrency = Math.min(this.#declared, Math.max(1, options.concurrency ?? 1));
    const warn = (message: string): void => this.#emit({ type: 'warning', message });
    this.#ledger = new WorkerLedger(options.store ?? new MemoryWorkerStore(), options.restore, warn);
    this.#rest = new CpuRest(options.cpuShare ?? 1, this.#timers, () => {
      this.#askForWork();
      this.#emit({ type: 'state' });
    });
    const { url, connect, backoff, random, executor, fetchCode, restore } = options;
    this.#socket = new ReconnectingSocket({ url, connect, timers: this.#timers, backoff, random }, this.#socketEvents());
    this.#tasks = new RunningTasks(
      {
        executor,
        fetchCode,
        readBlob: options.readBlob ?? noBlobs,
        readShard: options.readShard ?? ((shard) => noBlobs(shard.blob)),
        timers: this.#timers,
        progressIntervalMs: options.progressIntervalMs ?? 250,
        cpuShare: () => this.#rest.share,
      },
      this.#taskEvents(),
    );
    this.#outbox = new ReportOutbox({
      store: this.#ledger.store,
      connection: () => (this.#welcomed ? this.#connectionNumber : undefined),
      send: (report) => this.#send(report),
      warn,
    });
    this.#resumable = new ResumableLeases(restore?.leases);
    this.#outbox.restore(restore?.outbox ?? []);
  }

  /** Connects, and keeps reconnecting until {@link stop}. */
  start(): void {
    this.#socket.start();
  }

  /** Closes the connection for good and aborts running tasks; what the store kept stays there. */
  stop(): void {
    this.#connectionClosed();
    this.#socket.stop();
    this.#rest.stop();
    for (const leaseId of this.#tasks.leaseIds()) this.#abortTask(leaseId, 'worker stopped', false);
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

  /** While waiting to reconnect, tries at once. */
  retryNow(): void {
    this.#socket.retryNow();
  }

  /**
   * The browser's network went away or came back (`offline` / `online` events). Offline, the
   * connection is given up at once (an open socket may not notice); online, it is tried at once.
   */
  networkChanged(online: boolean): void {
    if (online) this.#socket.retryNow();
    else this.#socket.interrupt('the network went offline');
  }

  /** Sets the share of the time the worker may be busy (from the next task on). */
  setCpuShare(share: number): void {
    this.#rest.share = share;
    this.#emit({ type: 'state' });
  }

  /**
   * Sets the number of tasks run at once (1 to `maxConcurrency`). More asks go out at once; past
   * the new number, unanswered asks are taken back and running tasks finish, but no slot frees
   * for another until the tasks fit.
   */
  setConcurrency(count: number): void {
    const next = Math.min(this.#declared, Math.max(1, Math.floor(count)));
    if (next === this.#concurrency) return;
    this.#concurrency = next;
    if (this.#openAsks > 0 && this.#busySlots() > this.#slots() && this.#send({ type: 'withdraw' })) this.#openAsks = 0;
    this.#askForWork();
    this.#emit({ type: 'state' });
  }

  /**
   * Reports new capabilities (the tab measured its tensor backends): sent now when connected,
   * and in every later `hello`.
   */
  updateCapabilities(capabilities: Capabilities): void {
    this.#options.capabilities = capabilities;
    if (this.#welcomed) this.#send({ type: 'capabilities', capabilities });
  }

  /** Where things stand now. */
  snapshot(): WorkerClientSnapshot {
    return {
      connection: connectionStateOf(this.#socket.state, this.#welcomed),
      reconnectAt: this.#socket.retryAt,
      paused: this.#paused,
      workerId: this.#ledger.workerId,
      tasksDone: this.#ledger.stats.tasksDone,
      tasks: this.#tasks.views(),
      unsent: this.#outbox.size,
      computeMs: this.#ledger.stats.computeMs,
      cpuShare: this.#rest.share,
      restingUntil: this.#rest.until,
      concurrency: this.#concurrency,
      resting: this.#rest.resting,
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
      checkpoint: (leaseId, state) => this.#checkpoint(leaseId, state),
      finished: (lease, report, time) => this.#taskFinished(lease, report, time),
    };
  }

  /**
   * Writes the checkpoint to the store, then sends it. Unanswered checkpoints wait across a
   * reconnect: the latest is sent again after the welcome. One the coordinator refuses is taken
   * back from the store (see {@link #checkpointed}). It is numbered before it is written, so that
   * a refusal of the one before knows a newer one is on its way to the store.
   */
  async #checkpoint(leaseId: string, state: unknown): Promise<CheckpointAck> {
    const problem = checkpointProblem(state);
    if (problem !== undefined) return { status: 'refused', reason: problem };
    if (!this.#tasks.has(leaseId)) return { status: 'ignored', reason: 'the task is no longer running here' };
    const { seq, answer } = this.#checkpoints.add(leaseId, state);
    await this.#ledger.keepNow(`keep a checkpoint of ${leaseId}`, (store) => store.saveCheckpoint(leaseId, state));
    const message = this.#checkpoints.written(leaseId, seq);
    if (message && this.#welcomed) this.#send(message);
    return answer;
  }

  #sendHello(): void {
    // Finished but unacknowledged tasks, and leases from before a reload, are still held.
    const leases = [...this.#tasks.leaseIds(), ...this.#outbox.leaseIds(), ...this.#resumable.ids()];
    const hello: WorkerMessageInput = { type: 'hello', leases, capabilities: this.#options.capabilities, concurrency: this.#declared };
    if (this.#ledger.workerId !== null) hello.workerId = this.#ledger.workerId;
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
        this.#abortTask(message.leaseId, `revoked: ${message.reason}`, true);
        this.#outbox.acknowledge(message.leaseId);
        return this.#askForWork();
      case 'error':
        return this.#emit({ type: 'coordinator-error', code: message.code, message: message.message });
    }
  }

  #welcome(message: Extract<CoordinatorMessage, { type: 'welcome' }>): void {
    this.#welcomed = true;
    this.#allowed = message.concurrency;
    this.#connectionNumber += 1;
    this.#ledger.setWorkerId(message.workerId);
    this.#socket.succeeded();
    this.#timers.clearInterval(this.#heartbeatTimer);
    if (message.heartbeatMs > 0) {
      this.#heartbeatTimer = this.#timers.setInterval(() => this.#send({ type: 'heartbeat' }), message.heartbeatMs);
    }
    const kept = new Set(message.kept);
    for (const leaseId of this.#tasks.leaseIds()) {
      if (!kept.has(leaseId)) this.#abortTask(leaseId, 'the coordinator no longer holds this lease', true);
      else this.#resendCheckpoint(leaseId);
    }
    this.#resumeSavedLeases(kept);
    // Every report goes out, kept or not: the coordinator records it if its lease is still
    // current, and answers `ignored` if the task moved on.
    this.#outbox.sendAll();
    this.#emit({ type: 'state' });
    this.#askForWork();
  }

  /**
   * Leases from before a reload: the kept ones run again from their latest local checkpoint, the
   * others are dropped. The local checkpoint is never one the coordinator refused before the
   * reload (that one was taken back); one whose answer the reload cut off is resumed from and
   * sent again: work done offline is not lost. If the coordinator refuses it now, the store goes
   * back to what the lease came with, and the task, already running from it, goes on.
   */
  #resumeSavedLeases(kept: ReadonlySet<string>): void {
    this.#resumable.settle(kept, {
      resume: (lease, saved) => {
        this.#checkpoints.begin(lease.leaseId, saved.lease.restored);
        this.#tasks.start(lease);
        this.#emit({ type: 'task-start', lease, resumed: true });
        if (saved.checkpoint === undefined) return;
        // The coordinator may not have the latest local checkpoint (already in the store): it gets it now.
        const { seq } = this.#checkpoints.add(lease.leaseId, saved.checkpoint);
        const message = this.#checkpoints.written(lease.leaseId, seq);
        if (message) this.#send(message);
      },
      drop: ({ leaseId, jobName, taskIndex }) => {
        this.#emit({ type: 'warning', message: `dropped ${jobName} task ${taskIndex}: its lease lapsed while this tab was away` });
        this.#ledger.keep(`drop ${leaseId}`, (store) => store.dropLease(leaseId));
      },
    });
  }

  #lease(lease: TaskLease): void {
    this.#openAsks = Math.max(0, this.#openAsks - 1);
    if (this.#tasks.has(lease.leaseId) || this.#outbox.has(lease.leaseId)) return;
    this.#ledger.keep(`keep ${lease.leaseId}`, (store) => store.saveLease(lease));
    this.#checkpoints.begin(lease.leaseId, lease.restored);
    // A lease that crossed a `withdraw` is still this worker's: it runs even when paused.
    this.#tasks.start(lease);
    this.#emit({ type: 'task-start', lease });
  }

  #taskFinished(lease: TaskLease, report: TaskReport, time: TaskTime): void {
    this.#checkpoints.drop(lease.leaseId, 'the task ended');
    this.#outbox.add(lease.leaseId, report);
    this.#ledger.addCompute(time.busyMs);
    const failure = report.type === 'fail' ? { message: report.error.message } : {};
    this.#emit({ type: 'task-end', leaseId: lease.leaseId, outcome: report.type, ...failure });
    this.#rest.after(time);
    this.#askForWork();
  }

  #abortTask(leaseId: string, reason: string, forget: boolean): void {
    this.#checkpoints.drop(leaseId, reason);
    if (forget) this.#ledger.keep(`drop ${leaseId}`, (store) => store.dropLease(leaseId));
    if (this.#tasks.abort(leaseId)) this.#emit({ type: 'task-end', leaseId, outcome: 'aborted', message: reason });
  }

  #ack(message: Extract<CoordinatorMessage, { type: 'ack' }>): void {
    const report = this.#outbox.acknowledge(message.leaseId);
    if (report?.type === 'result' && message.status === 'accepted') this.#ledger.countResult();
    const reason = message.reason === undefined ? {} : { reason: message.reason };
    this.#emit({ type: 'ack', leaseId: message.leaseId, status: message.status, ...reason });
  }

  #checkpointed(message: Extract<CoordinatorMessage, { type: 'checkpointed' }>): void {
    const { leaseId, seq, status, reason } = message;
    const { restore } = this.#checkpoints.answer(leaseId, seq, reason === undefined ? { status } : { status, reason });
    // The store held the refused checkpoint: a reload must not resume from it.
    if (restore) this.#ledger.keep(`take back the refused checkpoint of ${leaseId}`, (store) => store.saveCheckpoint(leaseId, restore.checkpoint));
    this.#emit({ type: 'checkpointed', leaseId, seq, status, ...(reason === undefined ? {} : { reason }) });
  }

  #resendCheckpoint(leaseId: string): void {
    const latest = this.#checkpoints.latest(leaseId);
    if (latest) this.#send(latest);
  }

  /** What the hello declares: the most tasks this worker may be set to run at once. */
  get #declared(): number {
    const { concurrency, maxConcurrency } = this.#options;
    return Math.max(1, maxConcurrency ?? 1, concurrency ?? 1);
  }

  /** Slots this worker may fill now: its concurrency, within what the coordinator allows. */
  #slots(): number {
    return Math.min(this.#concurrency, this.#allowed ?? Infinity);
  }

  /** Slots running a task, resting after one, or waiting for an answered ask. */
  #busySlots(): number {
    return this.#tasks.size + this.#rest.resting + this.#openAsks;
  }

  /** Sends one `ask` per free slot (not running, resting or asking), unless paused or not welcomed yet. */
  #askForWork(): void {
    if (!this.#welcomed || this.#paused) return;
    while (this.#busySlots() < this.#slots() && this.#send({ type: 'ask' })) {
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
