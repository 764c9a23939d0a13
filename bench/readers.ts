import { percentile } from './stats.js';

/**
 * REST readers polling, each in turn, one job's status and the job list, as dashboards do,
 * until stopped; times every read.
 */
export class RestReaders {
  readonly statusMs: number[] = [];
  readonly listMs: number[] = [];
  #running = true;
  /** Settles when every reader stopped: with the first read that failed, if one did (answered by `stop`). */
  readonly #done: Promise<Error | undefined>;

  constructor(url: string, token: string, jobId: string, count: number, pauseMs: number) {
    const headers = { authorization: `Bearer ${token}` };
    const timed = async (path: string, into: number[]): Promise<void> => {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers });
      await response.arrayBuffer();
      into.push(performance.now() - started);
    };
    // A failed read stops the readers and is told by `stop`, with what failed: until then it
    // must not end the whole process as an unhandled rejection.
    this.#done = Promise.all(
      Array.from({ length: count }, async () => {
        while (this.#running) {
          await timed(`/api/v1/jobs/${jobId}`, this.statusMs);
          await timed('/api/v1/jobs', this.listMs);
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      }),
    ).then(
      () => undefined,
      (error: unknown) => {
        this.#running = false;
        return new Error(`a REST reader failed after ${this.statusMs.length} status and ${this.listMs.length} list reads`, { cause: error });
      },
    );
  }

  async stop(): Promise<{ statusP99Ms: number; listP99Ms: number }> {
    this.#running = false;
    const failed = await this.#done;
    if (failed) throw failed;
    const p99 = (samples: number[]): number => Math.round(percentile([...samples].sort((a, b) => a - b), 0.99) * 10) / 10;
    return { statusP99Ms: p99(this.statusMs), listP99Ms: p99(this.listMs) };
  }
}
