/**
 * A seeded generator of uniform numbers in [0, 1) (mulberry32): reproducible weights and test data
 * on every platform.
 * @example const random = createRandom(42); random(); // 0.6011037519201636
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `size` values uniform in `[low, high)`.
 * @example randomValues(createRandom(1), 6, -1, 1)
 */
export function randomValues(random: () => number, size: number, low = -1, high = 1): Float32Array {
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = low + (high - low) * random();
  return values;
}
