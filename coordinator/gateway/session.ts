import type { Capabilities, CoordinatorMessage } from '../../shared/index.js';

/** The one thing the gateway needs of a socket: send text, close. */
export interface WorkerSocket {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

/** One connected worker. */
export class WorkerSession {
  workerId: string | undefined;
  capabilities: Capabilities | undefined;
  /** Asks not yet answered by a lease. */
  asks = 0;
  /** Bad or out-of-turn messages so far. */
  strikes = 0;
  closed = false;
  readonly joinedAt = new Date();

  constructor(readonly socket: WorkerSocket) {}

  get ready(): boolean {
    return this.workerId !== undefined && !this.closed;
  }

  send(message: CoordinatorMessage): void {
    if (this.closed) return;
    try {
      this.socket.send(JSON.stringify(message));
    } catch {
      // A socket that closed under us; its close handler cleans up.
    }
  }
}
