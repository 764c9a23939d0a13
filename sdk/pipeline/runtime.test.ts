import type { TaskContext } from '../../shared/index.js';
import { describe, expect, it } from 'vitest';
import { createInProcessGang, type Comm } from '../../worker/index.js';

import { pipelineModuleSource } from './module-source.js';
import { runPipeline, type RuntimeStep } from './runtime.js';

/** A gang member's ctx, as the task runtime would give it (only what the runtime reads). */
function gangContext(comm: Comm): TaskContext {
  return {
    task: { jobId: 'j', jobName: 'p', taskIndex: 0, attempt: 1, leaseId: `l/${comm.rank}` },
    log: () => {},
    progress: () => {},
    checkpoint: () => Promise.resolve(true),
    restored: undefined,
    predecessors: [],
    rank: comm.rank,
    size: comm.size,
    comm,
  };
}

async function runOnGang(size: number, steps: RuntimeStep[], master: number, item: unknown): Promise<unknown[]> {
  const comms = createInProcessGang(size, { timeoutMs: 5000 });
  try {
    return await Promise.all(comms.map((comm) => runPipeline(steps, master, item, gangContext(comm))));
  } finally {
    for (const comm of comms) comm.close();
  }
}

describe('runPipeline', () => {
  it('walks master, worker and public steps, leaving each rank its value', async () => {
    const steps: RuntimeStep[] = [
      { kind: 'master', run: (item) => ({ base: Number(item) }) },
      { kind: 'worker', run: (params, ctx) => (params as { base: number }).base + ctx.rank },
      { kind: 'public', run: (value, ctx) => ({ rank: ctx.rank, master: ctx.master, value }) },
    ];
    expect(await runOnGang(3, steps, 2, 100)).toEqual([
      { rank: 0, master: 2, value: 100 },
      { rank: 1, master: 2, value: 101 },
      { rank: 2, master: 2, value: [100, 101] },
    ]);
  });

  it('carries Float32Arrays both ways, and a master’s undefined as null', async () => {
    const steps: RuntimeStep[] = [
      { kind: 'master', run: () => Float32Array.of(1.5, 2.5) },
      { kind: 'worker', run: (floats, ctx) => (floats as Float32Array).map((x) => x * ctx.rank) },
      { kind: 'master', run: () => undefined },
    ];
    expect(await runOnGang(3, steps, 0, null)).toEqual([null, null, null]);
    const gathered = await runOnGang(3, steps.slice(0, 2), 0, null);
    expect(gathered[0]).toEqual([Float32Array.of(1.5, 2.5), Float32Array.of(3, 5)]);
    expect(gathered[2]).toEqual(Float32Array.of(3, 5));
  });

  it('refuses a ctx that is not a gang member’s, and a master outside the gang', async () => {
    const [comm] = createInProcessGang(1);
    const ctx = gangContext(comm!);
    await expect(runPipeline([], 0, 1, { ...ctx, comm: undefined } as unknown as TaskContext)).rejects.toThrow(/ctx has no comm/);
    await expect(runPipeline([], 1, 1, ctx)).rejects.toThrow(/master is rank 1, but this gang has only 1 ranks/);
    comm!.close();
  });

  it('is embedded whole in the module source, with each step', () => {
    const source = pipelineModuleSource([{ kind: 'public', source: '(x) => x + 1' }], 0);
    expect(source).toContain('{ kind: "public", run: ((x) => x + 1) },');
    expect(source).toContain(`const runPipeline = (${runPipeline.toString()});`);
    expect(runPipeline.toString()).not.toMatch(/: (unknown|number|Promise)/);
  });
});
