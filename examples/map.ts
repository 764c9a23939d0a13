/**
 * `grid.map` from TypeScript: run a function on each item in volunteers' tabs.
 *
 *   npm start                                   # in another terminal; note the admin token
 *   TABGRID_TOKEN=<admin token> npx tsx examples/map.ts
 *
 * Then open the join URL in a browser tab or two: they do the work.
 */
// In your own project: import { Tabgrid, isJobFailedError } from 'tabgrid/sdk';
import { Tabgrid, isJobFailedError } from '../sdk/index.js';

const grid = new Tabgrid({
  url: process.env['TABGRID_URL'] ?? 'http://127.0.0.1:8080',
  token: process.env['TABGRID_TOKEN'] ?? '',
});

const numbers = Array.from({ length: 100 }, (_, index) => index + 1);

// Only the function's source text travels to the tabs: it may use its arguments and globals,
// and define helpers inside itself, but not variables or imports from this file.
const squares = await grid.map(numbers, (x: number) => x * x, { chunkSize: 10, name: 'squares (map)' });
console.log('sum of squares of 1..100:', squares.reduce((sum, square) => sum + square, 0));

const primeCounts = await grid.map(
  [1_000, 10_000, 100_000],
  (limit: number) => {
    const isPrime = (n: number): boolean => {
      for (let divisor = 2; divisor * divisor <= n; divisor += 1) if (n % divisor === 0) return false;
      return n > 1;
    };
    let count = 0;
    for (let n = 2; n <= limit; n += 1) if (isPrime(n)) count += 1;
    return count;
  },
  { name: 'prime counts' },
);
console.log('primes below 1e3, 1e4, 1e5:', primeCounts);

// A task that throws fails its job (after its retries); map rejects with the task's message.
try {
  await grid.map(
    [1, 2, 3],
    (x: number) => {
      if (x === 3) throw new Error(`three is not allowed`);
      return x;
    },
    { name: 'fails on purpose', retry: { maxAttempts: 1 } },
  );
} catch (error) {
  if (!isJobFailedError(error)) throw error;
  console.log(`job ${error.jobId} ${error.state}: ${error.message}`);
}
