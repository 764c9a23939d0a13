import type { MatmulParams } from '../backend.js';

/**
 * The reference matmul: for each batch, row `i` of C accumulates `A[i,p] * B[p,:]` over `p`
 * (i-k-j order, so the inner loop walks B and a row of C contiguously), in f64.
 * @example
 * const params = { batch: 1, m: 2, k: 2, n: 2, aBatchStride: 4, bBatchStride: 4, transposeA: false, transposeB: false };
 * matmulReference(Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), params); // [19, 22, 43, 50]
 */
export function matmulReference(a: Float32Array, b: Float32Array, params: MatmulParams): Float32Array {
  const { batch, m, k, n, transposeA, transposeB } = params;
  const out = new Float32Array(batch * m * n);
  const row = new Float64Array(n);
  for (let batchIndex = 0; batchIndex < batch; batchIndex++) {
    const aBase = batchIndex * params.aBatchStride;
    const bBase = batchIndex * params.bBatchStride;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const aValue = a[aBase + (transposeA ? p * m + i : i * k + p)]!;
        // B[p, j] sits at p*n + j, or at j*k + p when B is stored transposed.
        const bStart = bBase + (transposeB ? p : p * n);
        const bStep = transposeB ? k : 1;
        for (let j = 0; j < n; j++) row[j]! += aValue * b[bStart + j * bStep]!;
      }
      out.set(row, (batchIndex * m + i) * n);
    }
  }
  return out;
}
