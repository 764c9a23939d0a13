/** Completions over the last `windowMs`, for "tasks per second". */
export class CompletionRate {
  private times: number[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(time: number): void {
    this.times.push(time);
    if (this.times.length > 100_000) this.trim(time);
  }

  perSecond(now: number): number {
    this.trim(now);
    return this.times.length / (this.windowMs / 1000);
  }

  private trim(now: number): void {
    const since = now - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! < since) drop++;
    if (drop > 0) this.times = this.times.slice(drop);
  }
}
