/**
 * The tensor core: a backend-neutral `TensorCore` (what task code gets as `ctx.tensor`), the
 * `ComputeBackend` port, the shape rules, the named errors, and the CPU reference backend.
 * The WebGPU backend lives in `web-worker/tensor`.
 * @example
 * import { TensorCore, createCpuBackend } from '../shared/tensor/index.js';
 * const t = new TensorCore(createCpuBackend());
 * await t.matmul(t.tensor([1, 2, 3, 4], [2, 2]), t.tensor([1, 0, 0, 1], [2, 2])).data(); // [1, 2, 3, 4]
 */
export * from './errors.js';
export * from './shapes.js';
export type * from './backend.js';
export { Tensor, TensorStorage, type DType } from './tensor.js';
export { TensorCore, type CrossEntropyLoss, type MatmulGradients, type ReduceOptions, type TensorValues } from './core.js';
export { createCpuBackend, type CpuBackend } from './cpu/backend.js';
export { BINARY_FUNCTIONS, UNARY_FUNCTIONS, binaryReference, unaryReference } from './cpu/elementwise.js';
export { concatReference, permuteReference, sliceReference } from './cpu/layout.js';
export { matmulReference } from './cpu/matmul.js';
export { crossEntropyReference, reduceReference, softmaxReference } from './cpu/reduce.js';
export { createRandom, randomValues } from './random.js';
export { GRADIENT_TOLERANCE, checkMatmulGradients, checkMlpGradients, finiteDifferences, toleranceRatio, type GradientErrors } from './gradient-check.js';
export { mlpLoss, mlpLossAndGradients, type MlpParameters, type MlpStep } from './mlp.js';
