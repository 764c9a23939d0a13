import { randomBytes } from 'node:crypto';

/** How long an admin panel login lasts. */
export const SESSION_MS = 12 * 60 * 60 * 1000;

/** The admin session cookie: HttpOnly, so no script on this origin (the join page's task code included) can read it. */
export const SESSION_COOKIE = 'tabgrid_admin';

/**
 * The admin panel's logins: random ids kept in memory with their expiry. Kept nowhere else on
 * purpose: a session is worth the admin token for its lifetime, so it should not outlive the
 * process (a restart means logging in again).
 */
export class AdminSessions {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly lifetimeMs = SESSION_MS,
  ) {}

  /** Opens a session; returns its id and when it ends. */
  open(): { id: string; expiresAt: number } {
    this.forgetExpired();
    const id = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.lifetimeMs;
    this.expiries.set(id, expiresAt);
    return { id, expiresAt };
  }

  /** When the session `id` ends, or undefined if it is unknown or over. */
  expiryOf(id: string): number | undefined {
    const expiresAt = this.expiries.get(id);
    if (expiresAt === undefined) return undefined;
    if (expiresAt > this.now()) return expiresAt;
    this.expiries.delete(id);
    return undefined;
  }

  close(id: string): void {
    this.expiries.delete(id);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [id, expiresAt] of this.expiries) if (expiresAt <= now) this.expiries.delete(id);
  }
}
