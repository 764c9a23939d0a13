import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SILENT_LOG, type Logger } from './log.js';
import type { CoordinatorLease } from './store/index.js';

export type RoleName = 'active' | 'standby';

/** What a `Role` does when this coordinator becomes active or stops being so. */
export interface RoleHooks {
  /**
   * Start serving: rebuild the live state from the store. A throw steps down again. `token` is the
   * lease's fencing token: 1 the first time any coordinator took this store's lease, more when
   * another (or an earlier process) held it before.
   */
  becameActive(token: number): Promise<void>;
  /** Stop serving at once: drop every socket and what was kept in memory (writes already fail). */
  becameStandby(reason: string): Promise<void>;
}

/**
 * Active or standby, among coordinators sharing one store. A standby tries to take the store's
 * lease every `ttlMs / 6`; the active renews it every `ttlMs / 3`. The active steps down when a
 * renewal fails, or when it has not renewed for `ttlMs` by its own clock (it was paused, or the
 * database is out of reach): by then a standby may hold the lease, and the store's fencing
 * already refuses this one's writes. An `exclusive` lease (SQLite's) is never lost.
 */
export class Role {
  private current: RoleName = 'standby';
  /** When the lease was last renewed (or taken), by `performance.now()`. */
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The turn in progress (taking or renewing the lease): one at a time. */
  private turn: Promise<void> = Promise.resolve();
  /** The hooks called so far, one after another; the lease is renewed meanwhile (rebuilding a big job's state takes a while). */
  private transitions: Promise<void> = Promise.resolve();
  readonly holder = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly lease: CoordinatorLease,
    private readonly ttlMs: number,
    private readonly hooks: RoleHooks,
    private readonly log: Logger = SILENT_LOG,
  ) {}

  /** Takes the first turn (so a lone coordinator is active and serving when this resolves), then keeps taking turns. */
  async start(): Promise<void> {
    await this.take();
    await this.transitions;
  }

  /** Stops taking turns; an active one gives its lease up, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.turn;
    if (this.current === 'active') {
      this.current = 'standby';
      await this.transition(() => this.hooks.becameStandby('stopping'));
      await this.lease.release().catch((error: unknown) => this.log.warn({ err: error }, 'could not release the coordinator lease'));
    }
    await this.transitions;
  }

  private take(): Promise<void> {
    this.turn = this.turn.then(() => (this.current === 'active' ? this.renew() : this.acquire())).finally(() => this.schedule());
    return this.turn;
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.take(), this.current === 'active' ? this.ttlMs / 3 : this.ttlMs / 6);
  }

  private async acquire(): Promise<void> {
    const askedAt = performance.now();
    let token: number | undefined;
    try {
      token = await this.lease.acquire(this.holder, this.ttlMs);
    } catch (error) {
      this.log.warn({ error: errorMessage(error) }, 'could not reach the store to take the coordinator lease');
      return;
    }
    if (token === undefined || this.stopped) return;
    this.renewedAt = askedAt;
    this.current = 'active';
    void this.transition(async () => {
      try {
        await this.hooks.becameActive(token);
      } catch (error) {
        await this.stepDown(`could not start serving: ${errorMessage(error)}`);
      }
    });
  }

  /** Calls a hook after those before it. */
  private transition(hook: () => Promise<void>): Promise<void> {
    this.transitions = this.transitions.then(hook).catch((error: unknown) => this.log.error({ err: error }, 'a coordinator role change failed'));
    return this.transitions;
  }

  private async renew(): Promise<void> {
    // Nobody else can hold it: however long this process was busy, it still serves.
    if (this.lease.exclusive) return;
    const askedAt = performance.now();
    if (askedAt - this.renewedAt > this.ttlMs) {
      await this.stepDown(`the lease was not renewed for ${Math.round(askedAt - this.renewedAt)} ms (paused, or the store out of reach)`);
      return;
    }
    let renewed: boolean | 'late';
    try {
      // A renewal that does not answer before the lease runs out by this clock is as good as
      // lost (the database out of reach, its connection a black hole).
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.ttlMs - (askedAt - this.renewedAt))));
      renewed = await Promise.race([this.lease.renew(this.ttlMs), late]).finally(() => clearTimeout(timer));
    } catch (error) {
      // Out of reach for now: the next turn tries again, until the lease runs out by this clock.
      this.log.warn({ error: errorMessage(error) }, 'could not renew the coordinator lease');
      return;
    }
    if (renewed === 'late') await this.stepDown(`the lease could not be renewed within ${this.ttlMs} ms (the store out of reach)`);
    else if (renewed) this.renewedAt = askedAt;
    else await this.stepDown('another coordinator holds the lease');
  }

  private async stepDown(reason: string): Promise<void> {
    if (this.current === 'standby') return;
    this.current = 'standby';
    this.log.warn({ role: 'standby', reason }, 'standing by: lost the lease');
    await this.lease.release().catch(() => undefined);
    void this.transition(() => this.hooks.becameStandby(reason));
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
