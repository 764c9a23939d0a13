/**
 * The median of samples (the mean of the middle two for an even count).
 * @example median([3, 1, 2]) // 2
 */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The largest difference between any product and the reference, relative to the reference's
 * largest magnitude: NaN without a reference, infinite when a product is missing or of another size.
 * @example maxRelDiff([new Float32Array([1, 2.002])], new Float32Array([1, 2])) // ≈ 0.001
 */
export function maxRelDiff(products: readonly (Float32Array | undefined)[], reference: Float32Array | undefined): number {
  if (reference === undefined) return Number.NaN;
  const scale = reference.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
  let worst = 0;
  for (const product of products) {
    if (product?.length !== reference.length) return Number.POSITIVE_INFINITY;
    product.forEach((value, i) => void (worst = Math.max(worst, Math.abs(value - reference[i]!))));
  }
  return worst / scale;
}
