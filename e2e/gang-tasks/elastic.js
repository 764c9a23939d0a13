// An elastic gang task: each step every rank waits `stepMs`, then the gang counts its members
// with an allReduce, so the output says how many ranks took each step. Rank 0 checkpoints after
// every step; a re-formed gang (fewer or more ranks) goes on from there.

export default async ({ steps, stepMs }, ctx) => {
  const from = ctx.restored?.step ?? 0;
  const sizes = [...(ctx.restored?.sizes ?? [])];
  ctx.log(`attempt ${ctx.task.attempt}: rank ${ctx.rank} of ${ctx.size} from step ${from}`);
  for (let step = from; step < steps; step++) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const [members] = await ctx.comm.allReduce(Float32Array.of(1), 'sum');
    sizes.push(members);
    if (ctx.rank === 0) {
      await ctx.checkpoint({ step: step + 1, sizes });
      ctx.log(`step ${step + 1} done by ${members}`);
    }
    await ctx.comm.barrier();
  }
  return ctx.rank === 0 ? { sizes } : null;
};
