import { afterEach, describe, expect, it } from 'vitest';
import type { GangMembership, TaskLease } from '../shared/index.js';
import type { TaskHooks } from '../worker/index.js';
import { NodeExecutor } from './executor.js';
import { rejection } from '../worker/testing.js';

// A Node worker that took every rank of a gang runs them in its threads, talking in-process
// through the main thread: the same ctx.comm a tab's gang task gets over WebRTC.

function member(attempt: string, rank: number, size: number, timeoutMs = 20_000): TaskLease {
  const gang: GangMembership = {
    attempt,
    rank,
    size,
    peerIds: Array.from({ length: size }, (_, i) => `peer-${i}`),
    signalling: { path: '/peerjs', key: 'tabgrid' },
    iceServers: [],
    timeoutMs,
  };
  const code = Buffer.from(attempt).toString('hex').padEnd(64, '0').slice(0, 64);
  return { type: 'lease', leaseId: `${attempt}-${rank}`, jobId: 'j', jobName: 'gang', taskIndex: 0, attempt: 1, code, input: { kind: 'items', firstItem: 0, items: [10] }, gang };
}

const hooks: TaskHooks = {
  log: () => {},
  progress: () => {},
  checkpoint: () => Promise.resolve({ status: 'stored' }),
  blob: (sha256) => Promise.reject(new Error(`no blob ${sha256}`)),
  idle: () => {},
  shard: () => Promise.reject(new Error('no shard')),
};

describe('NodeExecutor with a whole gang', () => {
  let executor: NodeExecutor;
  afterEach(async () => {
    await executor.close();
  });

  it('gives each rank ctx.rank, ctx.size and an in-process ctx.comm across its threads', async () => {
    executor = new NodeExecutor();
    const source = `
      export default async (item, ctx) => {
        const values = new Float32Array(100_000).fill(ctx.rank + 1);
        const sum = await ctx.comm.allReduce(values, 'sum');
        const ranks = await ctx.comm.allGather(ctx.rank);
        const config = await ctx.comm.broadcast(ctx.rank === 2 ? { item } : undefined, 2);
        return { rank: ctx.rank, size: ctx.size, first: sum[0], last: sum[sum.length - 1], ranks, config };
      };`;
    const outputs = await Promise.all([0, 1, 2].map((rank) => executor.run(member('g1', rank, 3), source, hooks)));
    expect(outputs.map((output) => output[0])).toEqual(
      [0, 1, 2].map((rank) => ({ rank, size: 3, first: 6, last: 6, ranks: [0, 1, 2], config: { item: 10 } })),
    );
  });

  it('fails the other ranks fast when one throws (cause: gang), not after the gang timeout', async () => {
    executor = new NodeExecutor();
    const source = `
      export default async (item, ctx) => {
        if (ctx.rank === 1) throw new Error('rank 1 broke');
        await ctx.comm.allReduce(new Float32Array(10), 'sum');
        return 'unreachable';
      };`;
    const runs = [0, 1, 2].map((rank) => rejection(executor.run(member('g2', rank, 3, 120_000), source, hooks)));
    const errors = await Promise.all(runs);
    expect(errors[1]!.message).toBe('rank 1 broke');
    // Each of the others fails on the first loss it hears of (rank 1's, or that of a rank that
    // failed on rank 1's before it started): the first of them to fail heard rank 1's.
    for (const rank of [0, 2]) {
      expect(errors[rank]!.message).toMatch(/^rank [012] is lost/);
      expect((errors[rank] as Error & { gangCause?: boolean }).gangCause).toBe(true);
    }
    expect([errors[0]!.message, errors[2]!.message].some((message) => message.startsWith('rank 1 is lost'))).toBe(true);
  });

  it('fails a gang lease when the executor cannot join gangs', async () => {
    executor = new NodeExecutor({ joinGang: () => Promise.reject(new Error('no links here')) });
    const error = await rejection(executor.run(member('g3', 0, 2), 'export default () => 1;', hooks));
    expect(error.message).toBe('no links here');
  });
});
