import { afterEach, describe, expect, it } from 'vitest';
import { Role } from './role.js';
import type { CoordinatorLease } from './store/index.js';

// The role's rules with a lease of the test's own (beside the real one: the PostgreSQL store's
// lease tests, and e2e/failover.spec.ts with real processes, SIGKILL and SIGSTOP).

const TTL_MS = 300;

/** A lease the test holds the strings of. */
class TestLease implements CoordinatorLease {
  constructor(readonly exclusive = false) {}
  free = true;
  renewals: 'yes' | 'no' | 'hang' = 'yes';
  released = 0;
  /** The fencing token: one more at each taking. */
  token = 0;
  acquire(): Promise<number | undefined> {
    if (!this.free) return Promise.resolve(undefined);
    this.free = false;
    return Promise.resolve(++this.token);
  }
  renew(): Promise<boolean> {
    if (this.renewals === 'hang') return new Promise(() => undefined);
    return Promise.resolve(this.renewals === 'yes');
  }
  release(): Promise<void> {
    this.released++;
    return Promise.resolve();
  }
}

const roles: Role[] = [];
afterEach(async () => {
  await Promise.all(roles.splice(0).map((role) => role.stop()));
});

function watch(lease: TestLease): { role: Role; changes: string[] } {
  const changes: string[] = [];
  const role = new Role(lease, TTL_MS, {
    becameActive: (token) => {
      changes.push(token === 1 ? 'active' : `active (token ${token})`);
      return Promise.resolve();
    },
    becameStandby: (reason) => {
      changes.push(`standby: ${reason}`);
      return Promise.resolve();
    },
  });
  roles.push(role);
  return { role, changes };
}

const until = async (condition: () => boolean): Promise<void> => {
  await expect.poll(condition, { timeout: 5_000, interval: 20 }).toBe(true);
};

describe('Role', () => {
  it('is active when start resolves if the lease was free, and stands by while another holds it', async () => {
    const lease = new TestLease();
    const first = watch(lease);
    await first.role.start();
    expect(first.changes).toEqual(['active']);
    const second = watch(lease);
    await second.role.start();
    expect(second.changes).toEqual([]);
  });

  it("tells the hook the lease's token: more than 1 when another held the lease before (a takeover, even at start)", async () => {
    const lease = new TestLease();
    const first = watch(lease);
    await first.role.start();
    // The first dies without giving the lease up; it runs out, and a process starting now takes it.
    lease.renewals = 'hang';
    await until(() => first.changes.length === 2);
    lease.free = true;
    const restarted = watch(lease);
    await restarted.role.start();
    expect(restarted.changes).toEqual(['active (token 2)']);
  });

  it('steps down when a renewal finds the lease taken', async () => {
    const lease = new TestLease();
    const { role, changes } = watch(lease);
    await role.start();
    lease.renewals = 'no';
    await until(() => changes.length === 2);
    expect(changes[1]).toBe('standby: another coordinator holds the lease');
  });

  it('steps down by its own clock when a renewal never answers', async () => {
    const lease = new TestLease();
    const { role, changes } = watch(lease);
    await role.start();
    lease.renewals = 'hang';
    await until(() => changes.length === 2);
    expect(changes[1]).toMatch(/^standby: the lease could not be renewed within 300 ms/);
  });

  it('steps down after its process was busy past the lease, unless the lease is its alone (SQLite)', async () => {
    const shared = watch(new TestLease());
    const own = watch(new TestLease(true));
    await shared.role.start();
    await own.role.start();
    // The event loop blocked for two lease periods, as by a huge job written in one go.
    const end = performance.now() + 2 * TTL_MS;
    while (performance.now() < end);
    await until(() => shared.changes.length === 2);
    expect(shared.changes[1]).toMatch(/^standby: the lease was not renewed for \d+ ms/);
    await new Promise((resolve) => setTimeout(resolve, 2 * TTL_MS));
    expect(own.changes).toEqual(['active']);
  });

  it('gives the lease up when it stops, so a standby takes over at once', async () => {
    const lease = new TestLease();
    const { role, changes } = watch(lease);
    await role.start();
    await role.stop();
    expect(changes).toEqual(['active', 'standby: stopping']);
    expect(lease.released).toBe(1);
  });
});
