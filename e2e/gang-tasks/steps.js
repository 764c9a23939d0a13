// A gang task of `steps` all-reduce steps, rank 0 checkpointing after each, which resumes from
// its checkpoint. On attempt 1, rank `stallRank` stops before step `stallStep` (after saying so
// in the log), so the others wait inside that step's allReduce while the test closes its tab.

export default async ({ steps, floats, stallRank, stallStep }, ctx) => {
  const { rank, comm } = ctx;
  const attempt = ctx.task.attempt;
  const from = ctx.restored?.step ?? 0;
  const sums = [...(ctx.restored?.sums ?? [])];
  ctx.log(`attempt ${attempt} rank ${rank} starting at step ${from}`);
  try {
    for (let step = from; step < steps; step++) {
      if (attempt === 1 && rank === stallRank && step === stallStep) {
        ctx.log(`attempt 1 rank ${rank} entering step ${step}`);
        await new Promise(() => {});
      }
      const summed = await comm.allReduce(new Float32Array(floats).fill((rank + 1) * (step + 1)), 'sum');
      sums.push(summed[floats - 1]);
      if (rank === 0) await ctx.checkpoint({ step: step + 1, sums });
      // Nobody starts the next step before the checkpoint of this one is stored.
      await comm.barrier();
      ctx.progress((step + 1) / steps);
    }
  } catch (error) {
    ctx.log(`attempt ${attempt} rank ${rank} failed: ${error.name}: ${error.message}`);
    throw error;
  }
  return rank === 0 ? { attempt, resumedFrom: from, sums } : null;
};
