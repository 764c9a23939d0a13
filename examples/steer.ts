/**
 * Steering a job from TypeScript: submit it paused, watch its state changes as they happen,
 * resume it, wait for it, and read the result of its reduce step.
 *
 *   npm start                                   # in another terminal; note the admin token
 *   TABGRID_TOKEN=<admin token> npx tsx examples/steer.ts
 *
 * Then open the join URL in a browser tab or two. Run it twice: the second time the
 * `idempotencyKey` finds the job of the first run instead of submitting a new one.
 */
// In your own project: import { Tabgrid, isJobRejectedError } from 'tabgrid/sdk';
import { Tabgrid, isJobRejectedError } from '../sdk/index.js';
import type { Job } from '../sdk/index.js';

const grid = new Tabgrid({
  url: process.env['TABGRID_URL'] ?? 'http://127.0.0.1:8080',
  token: process.env['TABGRID_TOKEN'] ?? '',
});

let job: Job;
try {
  job = await grid.submit({
    name: 'sum of squares below 100000',
    // A range job: the module is called once per task with its sub-range { start, end, step }.
    code: 'export default ({ start, end, step }) => { let sum = 0; for (let n = start; n < end; n += step) sum += n * n; return sum; }',
    input: { range: { start: 0, end: 100_000 }, chunks: 10 },
    // Called once with the ten partial sums, in order: its output is the job's result.
    reduce: 'export default (sums) => sums.reduce((total, sum) => total + sum, 0)',
    // Nothing is handed out until resume().
    runMode: 'paused',
    retry: { maxAttempts: 2, timeoutMs: 30_000 },
    idempotencyKey: 'examples/steer.ts',
  });
} catch (error) {
  // Over the coordinator's limits (spec size, queued jobs): the job exists, as REJECTED.
  if (isJobRejectedError(error)) console.error(`job ${error.jobId} was rejected (HTTP ${error.status}): ${error.reason}`);
  throw error;
}

if (job.existing) console.log(`job ${job.id} was submitted by an earlier run`);
// The state changes so far, then each new one; the loop ends when the job does.
const watching = (async () => {
  for await (const event of job.followEvents()) console.log(`${event.from ?? '(new)'} -> ${event.to}: ${event.reason}`);
})();
const status = await job.status();
if (status.state === 'PAUSED') {
  console.log('waiting because:', status.waitingReason);
  await job.resume();
}
// wait() rides out a coordinator restart (up to maxOutageMs, 2 minutes by default).
await job.wait({ timeoutMs: 300_000 });
await watching;
// 333328333350000 once the job has completed.
console.log('sum of squares below 100000:', await job.result());
