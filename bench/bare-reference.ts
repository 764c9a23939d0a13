import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { connectBenchWorkers } from './dispatch-worker.js';
import { cpuMicros } from './process-stats.js';

const SERVER = fileURLToPath(new URL('./bare-server.ts', import.meta.url));

/**
 * The CPU per task of the bare reference server (`bare-server.ts`, its own process) serving
 * `tasks` one-item tasks to `workers` bench workers, after as many again to warm it up: the
 * socket and JSON floor under any coordinator's cost, measured in the same run.
 */
export async function bareMicrosPerTask(tasks: number, workers: number): Promise<number> {
  const server = spawn(process.execPath, ['--import', 'tsx', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(server.stdout, 'data')) as [Buffer];
    const bench = await connectBenchWorkers(line.toString('utf8').trim(), workers);
    const served = async (count: number): Promise<void> => {
      const target = bench.reduce((sum, worker) => sum + worker.done, 0) + count;
      for (const worker of bench) worker.start();
      while (bench.reduce((sum, worker) => sum + worker.done, 0) < target) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const worker of bench) worker.stop();
    };
    await served(tasks);
    const before = await cpuMicros(server.pid!);
    await served(tasks);
    const micros = (await cpuMicros(server.pid!)) - before;
    for (const worker of bench) worker.close();
    return micros / tasks;
  } finally {
    server.kill('SIGTERM');
  }
}
