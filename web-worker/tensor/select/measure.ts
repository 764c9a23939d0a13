import { type ComputeBackend, type Tensor, TensorCore, createRandom, randomValues } from '../../../shared/tensor/index.js';
import { lendBackend } from './lent-backend.js';

/** The backends a tab may have. */
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

/** Backend instances by name; absent ones are not available here. */
export type AvailableBackends = Readonly<Partial<Record<BackendName, ComputeBackend>>>;

/** One backend's speed at one square matmul size, readback included. */
export interface BackendFigure {
  readonly backend: BackendName;
  /** The matmul is `[size, size] x [size, size]`. */
  readonly size: number;
  readonly gflops: number;
  /** Median of the timed runs: the matmul plus reading its result back. */
  readonly medianMs: number;
}

/** Options of `measureBackends`. */
export interface MeasureOptions {
  /** Matmul sizes to time. @default [128, 256] */
  readonly sizes?: readonly number[];
  /** Timed runs per backend and size, after two warm-ups. @default 5 */
  readonly runs?: number;
  /**
   * A backend whose time did not at least double across `sizes` (latency still hides its
   * throughput, as on a real GPU at 256) is measured again at twice the largest size, and so on
   * up to this size, so its throughput is seen rather than guessed.
   * @default 1024
   */
  readonly maxSize?: number;
  /**
   * Called for a backend whose products throw (a lost device): it is left out of the figures
   * and the others go on. Without it the error propagates.
   */
  readonly onFailure?: (backend: BackendName, error: unknown) => void;
}

/** A timed run shorter than this repeats the product, so the timer's 0.1 ms grain does not dominate. */
const MIN_SAMPLE_MS = 2;
const MAX_REPEATS = 32;

/**
 * Times `[n, n] x [n, n]` on every available backend through a `TensorCore`, readback included,
 * as task code would see it: two warm-ups, then `runs` runs with the backends taking turns (so
 * load from elsewhere falls on all alike); the median run gives each figure.
 * @example const figures = await measureBackends({ wasm, cpu }, { sizes: [128, 256] });
 */
export async function measureBackends(available: AvailableBackends, options: MeasureOptions = {}): Promise<BackendFigure[]> {
  const figures: BackendFigure[] = [];
  const failed = new Set<BackendName>();
  const fail = (backend: BackendName, error: unknown): void => {
    if (options.onFailure === undefined) throw error;
    failed.add(backend);
    options.onFailure(backend, error);
  };
  const sizes = options.sizes ?? [128, 256];
  const runs = options.runs ?? 5;
  const working = (names: readonly string[]): AvailableBackends =>
    Object.fromEntries(Object.entries(available).filter(([name]) => names.includes(name) && !failed.has(name as BackendName)));
  for (const size of sizes) figures.push(...(await measureSize(working(Object.keys(available)), size, runs, fail)));
  for (let size = 2 * Math.max(...sizes); size <= (options.maxSize ?? 1024); size *= 2) {
    const unresolved = Object.keys(available).filter((name) => !failed.has(name as BackendName) && !timeGrew(figures.filter(({ backend }) => backend === name)));
    if (unresolved.length === 0) break;
    figures.push(...(await measureSize(working(unresolved), size, runs, fail)));
  }
  return figures.filter(({ backend }) => !failed.has(backend));
}

/** Whether a backend's time at its largest size is at least twice that at its smallest. */
function timeGrew(own: readonly BackendFigure[]): boolean {
  const bySize = [...own].sort((x, y) => x.size - y.size);
  const [smallest, largest] = [bySize[0], bySize[bySize.length - 1]];
  if (smallest === undefined || largest === undefined || smallest === largest) return true;
  return largest.medianMs >= 2 * smallest.medianMs;
}

interface Contender {
  readonly backend: BackendName;
  readonly core: TensorCore;
  a?: Tensor;
  b?: Tensor;
  repeats: number;
  readonly samples: number[];
  failed: boolean;
}

async function measureSize(
  available: AvailableBackends, size: number, runs: number, fail: (backend: BackendName, error: unknown) => void,
): Promise<BackendFigure[]> {
  const random = createRandom(size);
  const aValues = randomValues(random, size * size);
  const bValues = randomValues(random, size * size);
  // A lent backend frees what the measurement made, whatever happens, and leaves the backend itself alone.
  const contenders: Contender[] = Object.entries(available).map(([backend, compute]) => ({
    backend: backend as BackendName, core: new TensorCore(lendBackend(compute)), repeats: 1, samples: [], failed: false,
  }));
  const attempt = async (contender: Contender, work: () => Promise<void>): Promise<void> => {
    if (contender.failed) return;
    try {
      await work();
    } catch (error) {
      contender.failed = true;
      fail(contender.backend, error);
    }
  };
  try {
    for (const contender of contenders) {
      await attempt(contender, async () => {
        contender.a = contender.core.tensor(aValues, [size, size]);
        contender.b = contender.core.tensor(bValues, [size, size]);
        await timeProducts(contender);
        // The first run compiles (pipelines, the module's code paths); the second says how long one takes.
        const steady = await timeProducts(contender);
        contender.repeats = Math.min(MAX_REPEATS, Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(steady, 1e-3))));
      });
    }
    for (let run = 0; run < runs; run++) {
      for (const contender of contenders) await attempt(contender, async () => void contender.samples.push(await timeProducts(contender)));
    }
  } finally {
    for (const { core } of contenders) core.destroy();
  }
  return contenders.filter(({ failed }) => !failed).map(({ backend, samples }) => {
    const medianMs = median(samples);
    return { backend, size, medianMs, gflops: (2 * size ** 3) / (medianMs * 1e6) };
  });
}

/** Milliseconds per product, over `repeats` products each read back. */
async function timeProducts({ core, a, b, repeats }: Contender): Promise<number> {
  if (a === undefined || b === undefined) throw new RangeError('measureBackends: operands were not made');
  const start = performance.now();
  for (let i = 0; i < repeats; i++) {
    const product = core.matmul(a, b);
    await product.data();
    product.dispose();
  }
  return (performance.now() - start) / repeats;
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
