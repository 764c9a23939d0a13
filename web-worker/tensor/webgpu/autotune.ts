/**
 * The short matmul tune a tab runs when it first meets an adapter: every configuration the
 * adapter allows is timed on one representative product, and the fastest is kept. The result is
 * cached per adapter (`matmulTuneKey`) by whoever can store it (the join page, in localStorage),
 * so the next join reuses it without timing anything.
 */
import { createRandom, randomValues } from '../../../shared/tensor/index.js';
import type { WebGpuBackend } from './backend.js';
import type { AdapterDescription } from './device.js';
import { MATMUL_CONFIGS, tuneCandidates } from './matmul-configs.js';

/** Options of `tuneMatmul`. */
export interface TuneOptions {
  /**
   * Time for the whole tune; configurations not reached by then are not timed.
   * @default 2000
   */
  readonly budgetMs?: number;
  /** The square product timed. @default 256 on a CPU-emulated adapter, 1024 on a GPU */
  readonly size?: number;
  /** Timed samples per configuration, after one warm-up that compiles it. @default 3 */
  readonly runs?: number;
}

/** What a tune found. */
export interface MatmulTune {
  /** The fastest configuration, now in use. */
  readonly config: string;
  /** Median milliseconds per product of each configuration timed. */
  readonly timings: Readonly<Record<string, number>>;
  readonly size: number;
  /** Candidates not timed, the budget spent. */
  readonly skipped: readonly string[];
}

/** A timed sample shorter than this repeats the product, so the timer's grain does not dominate. */
const MIN_SAMPLE_MS = 2;
const MAX_REPEATS = 16;

/**
 * Times each configuration `backend` allows (its current one first; on a CPU-emulated adapter
 * only the direct kernels: `tuneCandidates`) on `[size, size]²`, each sample up to the GPU
 * finishing, and switches the backend to the fastest.
 * @example const { config } = await tuneMatmul(backend); // 'register-128x128-8x8-k8' on many GPUs
 */
export async function tuneMatmul(backend: WebGpuBackend, options: TuneOptions = {}): Promise<MatmulTune> {
  const started = performance.now();
  const budgetMs = options.budgetMs ?? 2000;
  const size = options.size ?? (backend.adapter.cpuEmulated ? 256 : 1024);
  const random = createRandom(size);
  const a = backend.upload(randomValues(random, size * size));
  const b = backend.upload(randomValues(random, size * size));
  const params = { batch: 1, m: size, k: size, n: size, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false };
  const timeProducts = async (repeats: number): Promise<number> => {
    const start = performance.now();
    const products = Array.from({ length: repeats }, () => backend.matmul(a, b, params));
    await backend.finish();
    products.forEach((product) => backend.dispose(product));
    return (performance.now() - start) / repeats;
  };
  const candidates = tuneCandidates(MATMUL_CONFIGS.filter(({ name }) => backend.matmulConfigs.includes(name)), backend.adapter.cpuEmulated).map(({ name }) => name);
  const order = [backend.matmulConfig, ...candidates.filter((name) => name !== backend.matmulConfig)];
  const timings: Record<string, number> = {};
  const skipped: string[] = [];
  try {
    for (const name of order) {
      if (performance.now() - started > budgetMs) {
        skipped.push(name);
        continue;
      }
      backend.useMatmulConfig(name);
      const once = await timeProducts(1);
      const repeats = Math.min(MAX_REPEATS, Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(once, 1e-3))));
      const samples: number[] = [];
      for (let run = 0; run < (options.runs ?? 3); run++) samples.push(await timeProducts(repeats));
      timings[name] = median(samples);
    }
  } finally {
    backend.dispose(a);
    backend.dispose(b);
  }
  const [fastest] = Object.entries(timings).sort(([, x], [, y]) => x - y);
  backend.useMatmulConfig(fastest![0]);
  return { config: fastest![0], timings, size, skipped };
}

/**
 * The key a tune is cached under: what the adapter says it is, a hash of all its limits (a
 * driver update that changes them is a new adapter), and of the configuration catalogue (a new
 * kernel is worth a new tune).
 * @example matmulTuneKey(backend.adapter) // 'google|swiftshader|Google SwiftShader|5f0c2a1e'
 */
export function matmulTuneKey(adapter: Pick<AdapterDescription, 'vendor' | 'architecture' | 'description' | 'limits'>): string {
  const limits = Object.keys(adapter.limits)
    .sort()
    .map((name) => `${name}=${adapter.limits[name]}`);
  const catalogue = MATMUL_CONFIGS.map(({ name }) => name);
  return [adapter.vendor, adapter.architecture, adapter.description, fnv1a([...limits, ...catalogue].join(';'))].join('|');
}

/** 32-bit FNV-1a of the string's UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/** How the matmul configuration of a new WebGPU backend was settled. */
export interface WebGpuMatmulChoice {
  /** The configuration in use. */
  readonly config: string;
  /** `tuned` just now, `cached` from an earlier tune of this adapter, `default` without a tune. */
  readonly source: 'tuned' | 'cached' | 'default';
  /** What the tune is cached under (`matmulTuneKey`). */
  readonly adapterKey: string;
  /** The tune's timings, when it ran. */
  readonly tune?: MatmulTune;
}

/**
 * Puts `backend` on the configuration `known` (the page's cache) has for its adapter, or tunes
 * it when there is none (or the cached one is no longer allowed); `tune: false` keeps the default.
 * @example const { source } = await settleMatmul(backend, readMatmulTunes(localStorage)); // 'cached' on the second join
 */
export async function settleMatmul(backend: WebGpuBackend, known: Readonly<Record<string, string>>, tune: TuneOptions | false = {}): Promise<WebGpuMatmulChoice> {
  const adapterKey = matmulTuneKey(backend.adapter);
  const cached = known[adapterKey];
  if (cached !== undefined && backend.matmulConfigs.includes(cached)) {
    backend.useMatmulConfig(cached);
    return { config: cached, source: 'cached', adapterKey };
  }
  if (tune === false) return { config: backend.matmulConfig, source: 'default', adapterKey };
  const result = await tuneMatmul(backend, tune);
  return { config: result.config, source: 'tuned', adapterKey, tune: result };
}
