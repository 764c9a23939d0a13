import { percentile } from './stats.js';

/**
 * REST readers polling, each in turn, one job's status and the job list, as dashboards do,
 * until stopped; times every read.
 */
export class RestReaders {
  readonly statusMs: number[] = [];
  readonly listMs: number[] = [];
  #running = true;
  readonly #done: Promise<void[]>;

  constructor(url: string, token: string, jobId: string, count: number, pauseMs: number) {
    const headers = { authorization: `Bearer ${token}` };
    const timed = async (path: string, into: number[]): Promise<void> => {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers });
      await response.arrayBuffer();
      into.push(performance.now() - started);
    };
    this.#done = Promise.all(
      Array.from({ length: count }, async () => {
        while (this.#running) {
          await timed(`/api/v1/jobs/${jobId}`, this.statusMs);
          await timed('/api/v1/jobs', this.listMs);
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      }),
    );
  }

  async stop(): Promise<{ statusP99Ms: number; listP99Ms: number }> {
    this.#running = false;
    await this.#done;
    const p99 = (samples: number[]): number => Math.round(percentile([...samples].sort((a, b) => a - b), 0.99) * 10) / 10;
    return { statusP99Ms: p99(this.statusMs), listP99Ms: p99(this.listMs) };
  }
}
