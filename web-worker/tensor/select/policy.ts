import type { BackendFigure, BackendName } from './measure.js';

/**
 * One backend's time for a matmul of `w` multiply-adds, fitted to its figures:
 * `fixedMs + w / 1e6 · msPerMillionMultiplyAdds` — what every call costs (dispatch, readback)
 * plus what each multiply-add costs.
 */
export interface BackendModel {
  readonly backend: BackendName;
  readonly fixedMs: number;
  /**
   * 0 when the figures did not grow with size (a GPU still waiting on latency at the sizes
   * measured): its time is then taken as flat, so it wins every size above some crossover.
   */
  readonly msPerMillionMultiplyAdds: number;
}

/** From `fromMultiplyAdds` up to the next range's start, `backend` is the fastest. */
export interface PolicyRange {
  readonly backend: BackendName;
  readonly fromMultiplyAdds: number;
}

/** Which backend is fastest for which size of work; plain JSON, so it can be shown and sent. */
export interface BackendPolicy {
  readonly models: readonly BackendModel[];
  /**
   * The smallest product measured. Below it the fits are not trusted (a fixed cost of a few
   * microseconds decides there, and nothing that small is worth a choice): work that small
   * goes where work of this size goes.
   */
  readonly measuredFromMultiplyAdds: number;
  /** Smallest sizes first; the first starts at 0 and the last runs on without end. */
  readonly ranges: readonly PolicyRange[];
}

/**
 * Fits each backend's figures to a fixed cost plus a cost per multiply-add (least squares),
 * and splits the sizes of work into ranges by which backend the fits say is fastest — the
 * crossovers fall where two fitted lines meet. Extrapolating from small products is a guess;
 * the fit keeps it a straight line, the simplest guess that still sees a GPU's start-up cost
 * paid off by its throughput.
 * @example
 * const policy = chooseBackends(await measureBackends({ webgpu, wasm }));
 * policy.ranges; // e.g. [{ backend: 'wasm', fromMultiplyAdds: 0 }, { backend: 'webgpu', fromMultiplyAdds: 21000000 }]
 */
export function chooseBackends(figures: readonly BackendFigure[]): BackendPolicy {
  const byBackend = new Map<BackendName, BackendFigure[]>();
  for (const figure of figures) byBackend.set(figure.backend, [...(byBackend.get(figure.backend) ?? []), figure]);
  if (byBackend.size === 0) throw new RangeError('chooseBackends: no figures to choose from');
  const models = [...byBackend].map(([backend, own]) => fitModel(backend, own));
  const measuredFromMultiplyAdds = Math.min(...figures.map(({ size }) => size ** 3));
  return { models, measuredFromMultiplyAdds, ranges: rangesOf(models, measuredFromMultiplyAdds) };
}

/** Unmeasured backends in the order they are trusted: the WASM kernels outrun the CPU reference everywhere. */
const UNMEASURED_ORDER: readonly BackendName[] = ['wasm', 'cpu'];

/**
 * The choice rule when some backends could not be measured in time: a backend measured beats
 * one that was not, except that WASM, opened but unmeasured, still beats a measured CPU
 * reference; with nothing measured, the first of WASM and the CPU reference present, at every size.
 * @example choosePolicy([], ['wasm', 'cpu']).ranges // [{ backend: 'wasm', fromMultiplyAdds: 0 }]
 */
export function choosePolicy(figures: readonly BackendFigure[], unmeasured: readonly BackendName[]): BackendPolicy {
  const trusted = unmeasured.includes('wasm') ? figures.filter(({ backend }) => backend !== 'cpu') : figures;
  if (trusted.length > 0) return chooseBackends(trusted);
  const fallback = UNMEASURED_ORDER.find((backend) => unmeasured.includes(backend));
  if (fallback === undefined) throw new RangeError('choosePolicy: nothing measured and nothing to fall back on');
  return { models: [], measuredFromMultiplyAdds: 0, ranges: [{ backend: fallback, fromMultiplyAdds: 0 }] };
}

/**
 * The backend the policy predicts fastest for `multiplyAdds`, among `among` (all the policy's by default).
 * @example fastestBackend(policy, 1024 ** 3, ['wasm', 'cpu']) // 'wasm'
 */
export function fastestBackend(policy: BackendPolicy, multiplyAdds: number, among?: readonly BackendName[]): BackendName | undefined {
  let best: { backend: BackendName; ms: number } | undefined;
  for (const model of policy.models) {
    if (among !== undefined && !among.includes(model.backend)) continue;
    const ms = predictMs(model, Math.max(multiplyAdds, policy.measuredFromMultiplyAdds));
    if (best === undefined || ms < best.ms) best = { backend: model.backend, ms };
  }
  return best?.backend;
}

/**
 * The fitted time of `multiplyAdds` on one backend.
 * @example predictMs({ backend: 'wasm', fixedMs: 0.05, msPerMillionMultiplyAdds: 0.1 }, 1e6) // 0.15
 */
export function predictMs(model: BackendModel, multiplyAdds: number): number {
  return model.fixedMs + (multiplyAdds / 1e6) * model.msPerMillionMultiplyAdds;
}

function fitModel(backend: BackendName, figures: readonly BackendFigure[]): BackendModel {
  const points = figures.map(({ size, medianMs }) => ({ w: size ** 3 / 1e6, ms: medianMs }));
  const n = points.length;
  const meanW = points.reduce((sum, p) => sum + p.w, 0) / n;
  const meanMs = points.reduce((sum, p) => sum + p.ms, 0) / n;
  const spread = points.reduce((sum, p) => sum + (p.w - meanW) ** 2, 0);
  if (spread === 0) {
    // One size measured: no way to split fixed from per-item cost; all of it is per item.
    return { backend, fixedMs: 0, msPerMillionMultiplyAdds: meanMs / meanW };
  }
  const slope = points.reduce((sum, p) => sum + (p.w - meanW) * (p.ms - meanMs), 0) / spread;
  if (slope <= 0) return { backend, fixedMs: meanMs, msPerMillionMultiplyAdds: 0 };
  const fixedMs = meanMs - slope * meanW;
  if (fixedMs >= 0) return { backend, fixedMs, msPerMillionMultiplyAdds: slope };
  // A negative fixed cost is noise: fit a line through the origin instead.
  const throughOrigin = points.reduce((sum, p) => sum + p.w * p.ms, 0) / points.reduce((sum, p) => sum + p.w * p.w, 0);
  return { backend, fixedMs: 0, msPerMillionMultiplyAdds: throughOrigin };
}

/** The lower envelope of the fitted lines from `floor` up, as ranges of multiply-adds. */
function rangesOf(models: readonly BackendModel[], floor: number): PolicyRange[] {
  const crossings = new Set<number>();
  for (const [i, a] of models.entries()) {
    for (const b of models.slice(i + 1)) {
      const slopes = a.msPerMillionMultiplyAdds - b.msPerMillionMultiplyAdds;
      const at = ((b.fixedMs - a.fixedMs) / slopes) * 1e6;
      if (slopes !== 0 && Number.isFinite(at) && at > floor) crossings.add(at);
    }
  }
  const starts = [0, ...[...crossings].sort((x, y) => x - y)];
  const ranges: PolicyRange[] = [];
  starts.forEach((start, i) => {
    const end = starts[i + 1];
    // Any point strictly inside the range tells its winner; the last range runs on without end.
    const probe = i === 0 ? floor : end === undefined ? 2 * start : (start + end) / 2;
    const backend = fastestBackend({ models, measuredFromMultiplyAdds: floor, ranges: [] }, probe)!;
    if (ranges.at(-1)?.backend !== backend) ranges.push({ backend, fromMultiplyAdds: Math.round(start) });
  });
  return ranges;
}
