/**
 * Completions over the last `windowMs`, for "tasks per second": counted in one-second buckets
 * (a ring), so that a completion costs O(1) however fast they come.
 */
export class CompletionRate {
  private readonly counts: Float64Array;
  /** The second each bucket counts (epoch seconds): a bucket of an older second is stale. */
  private readonly seconds: Float64Array;

  constructor(private readonly windowMs = 10_000) {
    const buckets = Math.max(1, Math.ceil(windowMs / 1000));
    this.counts = new Float64Array(buckets);
    this.seconds = new Float64Array(buckets).fill(-1);
  }

  add(time: number): void {
    const second = Math.floor(time / 1000);
    const bucket = second % this.counts.length;
    if (this.seconds[bucket] !== second) {
      this.seconds[bucket] = second;
      this.counts[bucket] = 0;
    }
    this.counts[bucket]!++;
  }

  /** Completions per second over the buckets of the window that ends now. */
  perSecond(now: number): number {
    const newest = Math.floor(now / 1000);
    let total = 0;
    for (let bucket = 0; bucket < this.counts.length; bucket++) {
      const second = this.seconds[bucket]!;
      if (second > newest - this.counts.length && second <= newest) total += this.counts[bucket]!;
    }
    return total / (this.windowMs / 1000);
  }
}
