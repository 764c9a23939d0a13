const SAMPLES = 31;

/** The run times of a job's last finished tasks, for their median. */
export class RecentDurations {
  readonly #samples: number[] = [];

  note(ms: number): void {
    this.#samples.push(ms);
    if (this.#samples.length > SAMPLES) this.#samples.shift();
  }

  /** The median of the last samples, or undefined before there are three. */
  median(): number | undefined {
    if (this.#samples.length < 3) return undefined;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }
}
