// A gang task that runs every collective of ctx.comm on values whose results are known exactly
// (integers in float32), and gathers every rank's findings to rank 0: the task's output.
// Rank r's vector: element i is (r + 1) * (i mod 251 + 1), so sums, means, maxima and minima of
// any number of ranks up to 16 are exact in float32.

const FACTORS = { sum: (n) => (n * (n + 1)) / 2, mean: (n) => (n + 1) / 2, max: (n) => n, min: () => 1 };

function rankValues(rank, length) {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = (rank + 1) * ((i % 251) + 1);
  return values;
}

function reduced(op, size, length) {
  const factor = FACTORS[op](size);
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = factor * ((i % 251) + 1);
  return values;
}

/** The first index where `actual` differs from `expected` (a length difference counts), or -1. */
function mismatch(actual, expected) {
  if (!actual || actual.length !== expected.length) return actual ? Math.min(actual.length, expected.length) : 0;
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return -1;
}

export default async (lengths, ctx) => {
  const { rank, size, comm } = ctx;
  ctx.log(`rank ${rank} of ${size}`);
  const checks = {};
  for (const length of lengths) {
    const own = rankValues(rank, length);
    for (const op of ['sum', 'mean', 'max', 'min']) {
      checks[`allReduce ${op} ${length}`] = mismatch(await comm.allReduce(own, op), reduced(op, size, length));
    }
    const summed = await comm.reduce(own, 'sum', size - 1);
    checks[`reduce ${length}`] = rank === size - 1 ? mismatch(summed, reduced('sum', size, length)) : summed === undefined ? -1 : 0;
    const mine = await comm.reduceScatter(own, 'sum');
    const whole = reduced('sum', size, length);
    const start = Math.floor((rank * length) / size);
    const end = Math.floor(((rank + 1) * length) / size);
    checks[`reduceScatter ${length}`] = mismatch(mine, whole.subarray(start, end));
    const broadcast = await comm.broadcast(rank === 1 ? own : undefined, 1);
    checks[`broadcast ${length}`] = mismatch(broadcast, rankValues(1, length));
    const gathered = await comm.gather(own, 0);
    checks[`gather ${length}`] = rank === 0 ? Math.max(...gathered.map((values, from) => mismatch(values, rankValues(from, length)))) : gathered === undefined ? -1 : 0;
    const everyone = await comm.allGather(own);
    checks[`allGather ${length}`] = Math.max(...everyone.map((values, from) => mismatch(values, rankValues(from, length))));
    const next = (rank + 1) % size;
    const previous = (rank + size - 1) % size;
    const [, heard] = await Promise.all([comm.send(next, own), comm.recv(previous)]);
    checks[`send/recv ${length}`] = mismatch(heard, rankValues(previous, length));
  }
  // Tensors of the tensor core travel too, and come back as tensors of the same shape.
  const t = ctx.tensor;
  const tensorSum = await comm.allReduce(t.tensor(rankValues(rank, 12), [3, 4]), 'sum');
  checks['allReduce tensor [3,4]'] = tensorSum.shape.join('x') === '3x4' ? mismatch(await tensorSum.data(), reduced('sum', size, 12)) : 0;
  // Small JSON values: broadcast, gather, allGather.
  const config = await comm.broadcast(rank === size - 1 ? { steps: 3, name: 'gang' } : undefined, size - 1);
  checks['broadcast json'] = config.steps === 3 && config.name === 'gang' ? -1 : 0;
  const names = await comm.allGather(`rank ${rank}`);
  checks['allGather json'] = names.every((name, from) => name === `rank ${from}`) ? -1 : 0;
  await comm.barrier();
  const reports = await comm.gather({ rank, size, checks }, 0);
  return rank === 0 ? reports : null;
};
