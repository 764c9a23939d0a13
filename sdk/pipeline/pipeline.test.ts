import { describe, expect, it } from 'vitest';
import { JobSpec, type JobSpecInput } from '../../shared/index.js';
import { runLocally } from '../local/index.js';
import { pipeline } from './pipeline.js';

async function outputsOf(spec: JobSpecInput): Promise<unknown[]> {
  const job = await runLocally(spec);
  await job.wait();
  const outputs: unknown[] = [];
  for await (const { output } of job.results()) outputs.push(output);
  return outputs;
}

describe('pipeline(...) builder', () => {
  it('builds a gang job spec that passes the schema, with the master as resultRank', () => {
    const spec = pipeline({ name: 'score', size: 4, items: [1, 2], retry: { maxAttempts: 2 }, priority: 5 })
      .master((x: number) => x)
      .worker((x: number) => x)
      .build();
    const parsed = JobSpec.safeParse(spec);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ name: 'score', gang: { size: 4, resultRank: 3 }, input: { items: [1, 2] }, retry: { maxAttempts: 2 }, priority: 5 });
    expect(spec.code).toContain('export default (item, ctx) => runPipeline(steps, 3, item, ctx);');

    const elastic = pipeline({ name: 'elastic', gang: { min: 2, max: 5, timeoutMs: 1000 }, master: 0 }).public((x: number) => x).build();
    expect(JobSpec.parse(elastic)).toMatchObject({ runMode: 'elastic', gang: { min: 2, max: 5, resultRank: 0, timeoutMs: 1000 }, input: { items: [null] } });
  });

  it('refuses what cannot run, with a TabgridError saying why', () => {
    const tabgridError = (message: RegExp): unknown => expect.objectContaining({ name: 'TabgridError', message: expect.stringMatching(message) as unknown });
    expect(() => pipeline({ name: 'p', size: 3 }).build()).toThrow(tabgridError(/has no steps: add some with \.master\(fn\)/));
    expect(() => pipeline({ name: 'p', size: 1 }).master(() => 1)).toThrow(tabgridError(/a master step needs a gang of at least 2 ranks.*has 1/));
    expect(() => pipeline({ name: 'p', size: 1 }).worker(() => 1)).toThrow(tabgridError(/a worker step needs a gang of at least 2/));
    expect(pipeline({ name: 'p', size: 1 }).public(() => 1).build()).toMatchObject({ gang: { size: 1, resultRank: 0 } });
    expect(() => pipeline({ name: 'p', size: 4, master: 4 })).toThrow(tabgridError(/master must be a rank every attempt has, 0 to 3; got 4/));
    expect(() => pipeline({ name: 'p', size: 4, master: -1 })).toThrow(tabgridError(/got -1/));
    expect(() => pipeline({ name: 'p', gang: { min: 2, max: 4 }, master: 3 })).toThrow(tabgridError(/0 to 1; got 3/));
    expect(() => pipeline({ name: 'p' })).toThrow(tabgridError(/give size or gang/));
    expect(() => pipeline({ name: 'p', size: 2, gang: { size: 2 } })).toThrow(tabgridError(/give size or gang \(not both\)/));
    expect(() => pipeline({ name: 'p', size: 2.5 })).toThrow(tabgridError(/whole number of ranks/));

    const job = pipeline({ name: 'p', size: 2 });
    const methods = { scale(this: void, x: number) { return 2 * x; } };
    expect(() => job.worker(methods.scale)).toThrow(tabgridError(/the worker step's source `scale\(x\) \{` is method shorthand/));
    expect(() => job.master(Math.abs)).toThrow(tabgridError(/the master step has no source to send/));
    expect(() => job.public(((x: number) => x).bind(null))).toThrow(tabgridError(/no source to send \(built-in or bound\)/));
    expect(() => pipeline({ name: 'p', size: 65 }).public((x: number) => x).build()).toThrow(expect.objectContaining({ name: 'SpecError', message: expect.stringContaining('gang.size') as unknown }));
  });
});

describe('a pipeline job in the local runner', () => {
  it('broadcasts the master’s parameters, gathers the workers’ results in rank order, and outputs the master’s value', async () => {
    const spec = pipeline({ name: 'score', size: 4, items: [{ scale: 2 }, { scale: 10 }] })
      .master((item: { scale: number }, ctx) => ({ scale: item.scale, offset: 1, master: ctx.master, rank: ctx.rank }))
      .worker((params: { scale: number; offset: number; master: number }, ctx) => {
        if (params.master !== ctx.master) throw new Error('every rank should have the master’s parameters');
        return Float32Array.of(params.scale * ctx.rank + params.offset, ctx.rank);
      })
      .master((results: Float32Array[]) => ({
        scores: results.map((floats) => floats[0]),
        ranks: results.map((floats) => floats[1]),
        total: results.reduce((sum, floats) => sum + (floats[0] ?? 0), 0),
      }))
      .build();
    expect(await outputsOf(spec)).toEqual([
      { scores: [1, 3, 5], ranks: [0, 1, 2], total: 9 },
      { scores: [1, 11, 21], ranks: [0, 1, 2], total: 33 },
    ]);
  });

  it('runs a public step on every rank, and workers keep their own value', async () => {
    const spec = pipeline({ name: 'public', size: 3, master: 0 })
      .worker((_: null, ctx) => ctx.rank * 10)
      .public(async (value: number | number[], ctx) => {
        const mine = Array.isArray(value) ? -1 : value;
        const all = await ctx.comm.allGather(mine);
        return { rank: ctx.rank, size: ctx.size, all };
      })
      .build();
    // The master (rank 0) holds the gathered [10, 20]; rank 1 kept 10, rank 2 kept 20.
    expect(await outputsOf(spec)).toEqual([{ rank: 0, size: 3, all: [-1, 10, 20] }]);
  });
});
