import type { TensorCore } from './core.js';
import { type MlpParameters, mlpLoss, mlpLossAndGradients } from './mlp.js';
import { createRandom, randomValues } from './random.js';
import { type Shape, planMatmul, sizeOf } from './shapes.js';

/**
 * Central finite differences `(f(v + ε·e_i) - f(v - ε·e_i)) / 2ε` for every element `i` of
 * `values`: the numeric gradient that analytic gradients are checked against.
 * @example
 * const numeric = await finiteDifferences((v) => Promise.resolve(v[0]! ** 2), Float32Array.of(3), 1e-3); // ≈ [6]
 */
export async function finiteDifferences(
  loss: (values: Float32Array) => Promise<number>,
  values: Float32Array,
  epsilon: number,
): Promise<Float32Array> {
  const gradient = new Float32Array(values.length);
  const probe = Float32Array.from(values);
  for (let i = 0; i < values.length; i++) {
    const original = values[i]!;
    probe[i] = original + epsilon;
    const above = await loss(probe);
    probe[i] = original - epsilon;
    const below = await loss(probe);
    probe[i] = original;
    gradient[i] = (above - below) / (2 * epsilon);
  }
  return gradient;
}

/**
 * The largest `|actual - expected| / (absolute + relative·|expected|)`: at most 1 means within tolerance.
 * @example toleranceRatio(Float32Array.of(1.0001), Float32Array.of(1), { absolute: 1e-5, relative: 1e-4 }) // ≈ 0.91
 */
export function toleranceRatio(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: { readonly absolute: number; readonly relative: number },
): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const want = expected[i]!;
    const got = actual[i]!;
    if (Number.isNaN(want) && Number.isNaN(got)) continue;
    if (want === got) continue;
    const ratio = Math.abs(got - want) / (tolerance.absolute + tolerance.relative * Math.abs(want));
    worst = Number.isNaN(ratio) ? Number.POSITIVE_INFINITY : Math.max(worst, ratio);
  }
  return worst;
}

/** How far analytic gradients are from finite differences, per parameter (see `toleranceRatio`). */
export type GradientErrors = Record<string, number>;

/**
 * Tolerance of a finite-difference check in f32 with ε = 1e-3: the numeric side is good to about 1e-4.
 * @example toleranceRatio(analytic, numeric, GRADIENT_TOLERANCE) <= 1
 */
export const GRADIENT_TOLERANCE = { absolute: 1e-3, relative: 1e-2 } as const;
const EPSILON = 1e-3;

/**
 * Checks `mlpLossAndGradients` on `t` against finite differences of `mlpLoss` on random data
 * (4 samples, 5 inputs, 6 hidden, 3 classes). Every value at most 1 means the gradients hold.
 * @example expect(Math.max(...Object.values(await checkMlpGradients(t, 7)))).toBeLessThanOrEqual(1)
 */
export async function checkMlpGradients(t: TensorCore, seed: number): Promise<GradientErrors> {
  const random = createRandom(seed);
  const shapes = { w1: [5, 6], b1: [6], w2: [6, 3], b2: [3] } as const;
  const values = {
    w1: randomValues(random, 30),
    b1: randomValues(random, 6, -0.5, 0.5),
    w2: randomValues(random, 18),
    b2: randomValues(random, 3, -0.5, 0.5),
  };
  const inputs = t.tensor(randomValues(random, 20), [4, 5]);
  const labels = [0, 2, 1, 2];
  const build = (overrides: Partial<Record<keyof MlpParameters, Float32Array>>): MlpParameters => ({
    w1: t.tensor(overrides.w1 ?? values.w1, shapes.w1),
    b1: t.tensor(overrides.b1 ?? values.b1, shapes.b1),
    w2: t.tensor(overrides.w2 ?? values.w2, shapes.w2),
    b2: t.tensor(overrides.b2 ?? values.b2, shapes.b2),
  });
  const disposeAll = (params: MlpParameters): void => [params.w1, params.b1, params.w2, params.b2].forEach((tensor) => tensor.dispose());

  const params = build({});
  const { loss, gradients } = mlpLossAndGradients(t, params, inputs, labels);
  const errors: GradientErrors = {};
  for (const name of ['w1', 'b1', 'w2', 'b2'] as const) {
    const numeric = await finiteDifferences(
      async (probe) => {
        const probed = build({ [name]: probe });
        const value = await mlpLoss(t, probed, inputs, labels);
        disposeAll(probed);
        return value;
      },
      values[name],
      EPSILON,
    );
    errors[name] = toleranceRatio(await gradients[name].data(), numeric, GRADIENT_TOLERANCE);
  }
  [loss, inputs].forEach((tensor) => tensor.dispose());
  disposeAll(params);
  disposeAll(gradients);
  return errors;
}

/**
 * Checks `matmulBackward` for `a x b` (2-D, batched, or with an operand shared across the batch)
 * against finite differences of `sum(matmul(a, b) * g)` for a random `g`, whose gradient is `dC = g`.
 * @example await checkMatmulGradients(t, [3, 4, 5], [5, 2], 1) // { dA: 0.01, dB: 0.02 }
 */
export async function checkMatmulGradients(t: TensorCore, aShape: Shape, bShape: Shape, seed: number): Promise<GradientErrors> {
  const random = createRandom(seed);
  const aValues = randomValues(random, sizeOf(aShape));
  const bValues = randomValues(random, sizeOf(bShape));
  const outShape = planMatmul(aShape, bShape).outShape;
  const weights = t.tensor(randomValues(random, sizeOf(outShape)), outShape);
  const weightedSum = async (a: Float32Array, b: Float32Array): Promise<number> => {
    const total = t.scope(() => t.sum(t.mul(t.matmul(t.tensor(a, aShape), t.tensor(b, bShape)), weights)));
    const [value] = await total.data();
    total.dispose();
    return value ?? Number.NaN;
  };
  const a = t.tensor(aValues, aShape);
  const b = t.tensor(bValues, bShape);
  const { dA, dB } = t.matmulBackward(a, b, weights);
  const numericA = await finiteDifferences((probe) => weightedSum(probe, bValues), aValues, EPSILON);
  const numericB = await finiteDifferences((probe) => weightedSum(aValues, probe), bValues, EPSILON);
  const errors = {
    dA: toleranceRatio(await dA.data(), numericA, GRADIENT_TOLERANCE),
    dB: toleranceRatio(await dB.data(), numericB, GRADIENT_TOLERANCE),
  };
  [a, b, dA, dB, weights].forEach((tensor) => tensor.dispose());
  return errors;
}
