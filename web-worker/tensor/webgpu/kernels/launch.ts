/**
 * What a kernel module hands the backend: which pipeline (by key, with its WGSL made on a cache
 * miss), the uniform values, and the workgroup grid. Bindings follow one convention in every
 * kernel: inputs first (read-only storage), then outputs (read-write storage), then the uniforms.
 */
export interface KernelLaunch {
  readonly key: string;
  readonly source: () => string;
  /** u32 and f32 fields as raw 32-bit words, padded by `packUniforms` to 16 bytes. */
  readonly uniforms: Uint32Array<ArrayBuffer>;
  readonly workgroups: readonly [number, number, number];
}

/** The largest workgroup count in one dimension WebGPU guarantees. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65_535;

/** Threads per workgroup in the elementwise and layout kernels. */
export const LINEAR_WORKGROUP = 64;

/**
 * A 2-D grid with at least `count` workgroups (x first), since one dimension stops at 65,535.
 * Kernels recover the linear id with `linearWorkgroup` below.
 * @example gridFor(100_000) // [65535, 2, 1]
 */
export function gridFor(count: number): [number, number, number] {
  const x = Math.min(Math.max(count, 1), MAX_WORKGROUPS_PER_DIMENSION);
  return [x, Math.ceil(count / x), 1];
}

/** WGSL: the linear workgroup index of a `gridFor` dispatch. */
export const LINEAR_WORKGROUP_WGSL = /* wgsl */ `
fn linearWorkgroup(wid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return wid.y * groups.x + wid.x;
}`;

/**
 * Uniform words from u32 values, padded to a multiple of 4 words (16 bytes).
 * @example packUniforms([3, 4, 5]) // Uint32Array [3, 4, 5, 0]
 */
export function packUniforms(values: readonly number[]): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(Math.max(4, Math.ceil(values.length / 4) * 4));
  words.set(values);
  return words;
}

/** WGSL array-of-vec4 uniform holding up to 8 u32 values: `name[i / 4][i % 4]`. */
export function dimsField(name: string): string {
  return `${name}: array<vec4<u32>, 2>`;
}

/** Eight u32 slots for a `dimsField`, zero-padded. */
export function dimsWords(values: readonly number[]): number[] {
  return Array.from({ length: 8 }, (_, i) => values[i] ?? 0);
}

/** WGSL reading slot `i` (a constant) of a `dimsField`. */
export function dimAt(name: string, i: number): string {
  return `params.${name}[${Math.floor(i / 4)}][${i % 4}]`;
}
