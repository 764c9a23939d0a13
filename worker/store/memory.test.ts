import { describe, expect, it } from 'vitest';
import { MemoryBlobCache, MemoryWorkerStore } from './memory.js';
import { BLOB_SCENARIO_CAP, STORE_SCENARIOS, blobCacheScenario, testLease } from './scenarios.js';

describe('MemoryWorkerStore (the store contract; IndexedDB runs the same in e2e/volunteer-store.spec.ts)', () => {
  for (const [name, scenario] of Object.entries(STORE_SCENARIOS)) {
    it(name, async () => {
      await scenario(new MemoryWorkerStore());
    });
  }

  it('blob cache: least recently used out first, nothing over the cap', async () => {
    await blobCacheScenario(new MemoryBlobCache(BLOB_SCENARIO_CAP));
  });

  it("starts from a saved state and keeps copies, not the caller's objects", async () => {
    const lease = testLease('l-1');
    const store = new MemoryWorkerStore({
      saved: { workerId: 'w-1', leases: [{ lease }], outbox: [], stats: { tasksDone: 2, computeMs: 10 } },
    });
    lease.jobName = 'changed afterwards';
    const saved = await store.load();
    expect(saved).toMatchObject({ workerId: 'w-1', stats: { tasksDone: 2, computeMs: 10 } });
    expect(saved.leases[0]?.lease.jobName).toBe('scenario');
  });
});
