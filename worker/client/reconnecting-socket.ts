import { ReconnectBackoff, type BackoffOptions } from './backoff.js';
import type { ConnectionState } from './client-events.js';
import type { SocketFactory, TaskSocket } from './client-ports.js';
import type { TimerHandle, Timers } from '../timers.js';

/** Where a {@link ReconnectingSocket} stands: opening, open, waiting to try again, or stopped for good. */
export type SocketState = 'idle' | 'opening' | 'open' | 'waiting' | 'stopped';

/** What a {@link ReconnectingSocket} tells its owner. */
export interface SocketEvents {
  open(): void;
  message(data: unknown): void;
  /** The socket closed or failed (an error always ends in a close); another attempt is scheduled. */
  closed(): void;
  /** `state` or `retryAt` changed. */
  changed(): void;
  warning(message: string): void;
}

/** How a {@link ReconnectingSocket} connects and waits. */
export interface ReconnectingSocketOptions {
  url: string;
  connect: SocketFactory;
  timers: Timers;
  backoff?: BackoffOptions | undefined;
  /** Draws the backoff's jitter: 0 waits half of each delay, 1 all of it. */
  random?: (() => number) | undefined;
}

const SOCKET_OPEN = 1;

/** The client's connection state for a socket state: an open socket is `connected` once welcomed. */
export function connectionStateOf(state: SocketState, welcomed: boolean): ConnectionState {
  switch (state) {
    case 'idle':
    case 'stopped':
      return state;
    case 'waiting':
      return 'reconnecting';
    default:
      return welcomed ? 'connected' : 'connecting';
  }
}

/**
 * A socket that opens again by itself after it closes, waiting longer after each failure
 * (exponential backoff with jitter) until `succeeded()` says a connection was good.
 * @example
 * const socket = new ReconnectingSocket({ url, connect: (u) => new WebSocket(u), timers: systemTimers }, events);
 * socket.start();
 */
export class ReconnectingSocket {
  #state: SocketState = 'idle';
  #retryAt: number | null = null;
  #socket: TaskSocket | undefined;
  #retryTimer: TimerHandle = undefined;
  /** Sockets given up on by `interrupt`, closed once a new connection is good. */
  readonly #abandoned: TaskSocket[] = [];
  readonly #backoff: ReconnectBackoff;

  constructor(
    private readonly options: ReconnectingSocketOptions,
    private readonly events: SocketEvents,
  ) {
    this.#backoff = new ReconnectBackoff(options.backoff, options.random);
  }

  get state(): SocketState {
    return this.#state;
  }

  /** When the next attempt is due (ms since the epoch), while `waiting`. */
  get retryAt(): number | null {
    return this.#retryAt;
  }

  /** Opens the socket, unless it is open or opening already. */
  start(): void {
    if (this.#state === 'idle' || this.#state === 'stopped') this.#open();
  }

  /** Closes the socket and tries no more. */
  stop(): void {
    this.options.timers.clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#retryAt = null;
    this.#setState('stopped');
    for (const abandoned of this.#abandoned.splice(0)) closeQuietly(abandoned, 1000, 'worker stopped');
    if (socket) closeQuietly(socket, 1000, 'worker stopped');
  }

  /** While waiting to reconnect: tries now instead (the volunteer clicked "retry now", the network came back). */
  retryNow(): void {
    if (this.#state !== 'waiting') return;
    this.options.timers.clearTimeout(this.#retryTimer);
    this.#open();
  }

  /**
   * Gives up on the current socket as if it had closed, and reconnects after the usual wait. For
   * a connection known to be dead that the socket has not noticed: a browser that went offline
   * may keep an open WebSocket looking open for a long time. The socket is abandoned, not
   * closed, until the next connection is good: a close could still reach the coordinator and cut
   * the worker's leases short (to the disconnect grace), where silence leaves them their full term.
   */
  interrupt(reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    this.#abandoned.push(socket);
    this.events.warning(reason);
    this.events.closed();
    this.#retryLater();
  }

  /** The connection was good: the next failure waits the shortest delay again, and abandoned sockets are closed. */
  succeeded(): void {
    this.#backoff.reset();
    for (const socket of this.#abandoned.splice(0)) closeQuietly(socket, 1000, 'replaced by a new connection');
  }

  /** Sends when the socket is open; answers whether it did. */
  send(text: string): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) return false;
    try {
      socket.send(text);
      return true;
    } catch (error) {
      this.events.warning(`could not send on the worker socket: ${String(error)}`);
      return false;
    }
  }

  #open(): void {
    this.#retryAt = null;
    this.#setState('opening');
    let socket: TaskSocket;
    try {
      socket = this.options.connect(this.options.url);
    } catch (error) {
      this.events.warning(`could not open the worker socket: ${String(error)}`);
      this.#retryLater();
      return;
    }
    this.#socket = socket;
    // Events of a socket given up on (stopped, or replaced) are ignored.
    const isCurrent = (): boolean => socket === this.#socket;
    socket.onopen = () => {
      if (!isCurrent()) return;
      this.#setState('open');
      this.events.open();
    };
    socket.onmessage = (event: { data: unknown }) => {
      if (isCurrent()) this.events.message(event.data);
    };
    socket.onclose = () => {
      if (!isCurrent()) return;
      this.#socket = undefined;
      this.events.closed();
      this.#retryLater();
    };
    // An error is always followed by a close, which is what counts. It is still handled:
    // Node's `ws` throws an 'error' event nobody listens to.
    socket.onerror = () => {};
  }

  #retryLater(): void {
    if (this.#state === 'stopped') return;
    const delay = this.#backoff.next();
    this.#retryAt = this.options.timers.now() + delay;
    this.#setState('waiting');
    this.#retryTimer = this.options.timers.setTimeout(() => this.#open(), delay);
  }

  #setState(state: SocketState): void {
    this.#state = state;
    this.events.changed();
  }
}

function closeQuietly(socket: TaskSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // A socket that is already failing may throw on close; it is let go of either way.
  }
}
