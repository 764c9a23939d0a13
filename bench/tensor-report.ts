// What the tensor benchmark page (bench/tensor-page.ts) reports and how the runner
// (bench/tensor.ts) prints it. Shared by both; no browser or Node APIs here.
import type { TensorChoice } from '../web-worker/tensor/select/index.js';

/** Who is timed: our backends through the TensorCore, the chosen one, TensorFlow.js, plain JS. */
export type ContenderName = 'oursWebgpu' | 'oursWasm' | 'chosen' | 'tfjsWebgpu' | 'tfjsWasm' | 'jsLoop';

export const CONTENDER_TITLES: Readonly<Record<ContenderName, string>> = {
  oursWebgpu: 'ours webgpu',
  oursWasm: 'ours wasm',
  chosen: 'chosen',
  tfjsWebgpu: 'TF.js webgpu',
  tfjsWasm: 'TF.js wasm',
  jsLoop: 'JS loop',
};

/** One workload's result: speeds (GFLOPS or GB/s, from the median run) by contender. */
export interface TensorBenchRow {
  readonly workload: string;
  readonly unit: 'GFLOPS' | 'GB/s';
  readonly speeds: Partial<Record<ContenderName, number>>;
  /** From the fastest run: less swayed by other load on a shared machine. */
  readonly bestSpeeds: Partial<Record<ContenderName, number>>;
  /** The backend the chosen core ran on for this workload. */
  readonly chosenBackend: string;
  /** Timed runs and products per run, by contender. */
  readonly runs: Partial<Record<ContenderName, { runs: number; repeats: number }>>;
  /** Largest |contender - ours wasm| over the largest |ours wasm|: did everyone compute the same thing? */
  readonly maxRelDiff: number;
}

export type TensorBenchReport =
  | {
    readonly ok: true;
    readonly userAgent: string;
    readonly adapter: string;
    readonly tfjsWasmSimd: boolean;
    readonly tfjsWasmThreads: boolean;
    readonly crossOriginIsolated: boolean;
    /** Threads our WASM contender splits each op across, and TF.js wasm's thread count. */
    readonly oursWasmThreads: number;
    readonly tfjsWasmThreadsCount: number;
    readonly choice: TensorChoice;
    readonly rows: TensorBenchRow[];
  }
  | { readonly ok: false; readonly error: string };

/** A ratio of two speeds, or undefined when either is missing. */
export interface TensorBenchRatios {
  /** Our WebGPU over TF.js's webgpu. */
  readonly webgpu: number | undefined;
  /** Our WASM over TF.js's wasm. */
  readonly wasm: number | undefined;
  /** The chosen backend over the fastest of everyone. */
  readonly chosenOverBest: number | undefined;
  readonly best: ContenderName | undefined;
}

/** Which speeds a table or goal reads: the median run's (the headline) or the fastest run's. */
export type SpeedBasis = 'median' | 'best';

function speedsOf(row: TensorBenchRow, basis: SpeedBasis): Partial<Record<ContenderName, number>> {
  return basis === 'median' ? row.speeds : row.bestSpeeds;
}

/** @example ratiosOf(row).webgpu // 9.3 */
export function ratiosOf(row: TensorBenchRow, basis: SpeedBasis = 'median'): TensorBenchRatios {
  const speeds = speedsOf(row, basis);
  const ratio = (ours: number | undefined, theirs: number | undefined): number | undefined =>
    ours === undefined || theirs === undefined ? undefined : ours / theirs;
  const ranked = (Object.entries(speeds) as [ContenderName, number][]).filter(([name]) => name !== 'chosen').sort((a, b) => b[1] - a[1]);
  const [best] = ranked;
  return {
    webgpu: ratio(speeds.oursWebgpu, speeds.tfjsWebgpu),
    wasm: ratio(speeds.oursWasm, speeds.tfjsWasm),
    chosenOverBest: ratio(speeds.chosen, best?.[1]),
    best: best?.[0],
  };
}

/** The issue's goals, each with the measured ratio and whether it holds. */
export interface TensorBenchGoal {
  readonly goal: string;
  readonly workload: string;
  readonly ratio: number | undefined;
  readonly target: number;
  readonly holds: boolean;
}

export function goalsOf(rows: readonly TensorBenchRow[], basis: SpeedBasis = 'median'): TensorBenchGoal[] {
  const goals: TensorBenchGoal[] = [];
  const add = (goal: string, row: TensorBenchRow | undefined, ratio: number | undefined, target: number): void => {
    if (row !== undefined) goals.push({ goal, workload: row.workload, ratio, target, holds: ratio !== undefined && ratio >= target });
  };
  const at1024 = rows.find((row) => row.workload === 'matmul 1024');
  add('our WebGPU matmul ≥ 8× TF.js webgpu', at1024, at1024 && ratiosOf(at1024, basis).webgpu, 8);
  add('our WASM matmul ≥ 0.8× TF.js wasm', at1024, at1024 && ratiosOf(at1024, basis).wasm, 0.8);
  for (const row of rows) add('chosen ≥ 0.9× best of all', row, ratiosOf(row, basis).chosenOverBest, 0.9);
  return goals;
}

const COLUMNS: readonly ContenderName[] = ['oursWebgpu', 'oursWasm', 'chosen', 'tfjsWebgpu', 'tfjsWasm', 'jsLoop'];

/** The rows as a fixed-width text table, speeds then ratios. */
export function formatTable(rows: readonly TensorBenchRow[], basis: SpeedBasis = 'median'): string {
  const f = (value: number | undefined, digits = 2): string => (value === undefined ? '–' : value.toFixed(digits));
  const head = ['workload', 'unit', ...COLUMNS.map((name) => CONTENDER_TITLES[name]), 'webgpu ours/TF.js', 'wasm ours/TF.js', 'chosen/best (best)', 'max rel diff'];
  const body = rows.map((row) => {
    const ratios = ratiosOf(row, basis);
    const speeds = speedsOf(row, basis);
    return [
      row.workload, row.unit,
      ...COLUMNS.map((name) => (name === 'chosen' ? `${f(speeds.chosen)} (${row.chosenBackend})` : f(speeds[name]))),
      f(ratios.webgpu), f(ratios.wasm),
      `${f(ratios.chosenOverBest)} (${ratios.best === undefined ? '–' : CONTENDER_TITLES[ratios.best]})`,
      row.maxRelDiff.toExponential(1),
    ];
  });
  const widths = head.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (i < 2 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** The goals as lines: `holds`/`MISSED`, the ratio against its target. */
export function formatGoals(goals: readonly TensorBenchGoal[]): string {
  return goals
    .map(({ goal, workload, ratio, target, holds }) => `${holds ? 'holds ' : 'MISSED'}  ${goal} — ${workload}: ${ratio === undefined ? '–' : ratio.toFixed(3)} (target ${target})`)
    .join('\n');
}
