import type { TensorCore } from './core.js';
import type { Tensor } from './tensor.js';

/** A two-layer perceptron: `logits = relu(x·w1 + b1)·w2 + b2`. */
export interface MlpParameters {
  /** `[inputs, hidden]` */
  readonly w1: Tensor;
  /** `[hidden]` */
  readonly b1: Tensor;
  /** `[hidden, classes]` */
  readonly w2: Tensor;
  /** `[classes]` */
  readonly b2: Tensor;
}

/** The mean cross-entropy loss (scalar) of a batch and its gradient for each parameter. */
export interface MlpStep {
  readonly loss: Tensor;
  readonly gradients: MlpParameters;
}

/**
 * One forward and backward pass of the two-layer perceptron on a batch; the intermediate
 * tensors are disposed, only the loss and gradients are left. Shows the training ops together.
 * @example
 * const { loss, gradients } = mlpLossAndGradients(t, params, x, labels);
 * const w1 = t.sub(params.w1, t.mul(gradients.w1, 0.1));
 */
export function mlpLossAndGradients(t: TensorCore, params: MlpParameters, inputs: Tensor, labels: Tensor | readonly number[]): MlpStep {
  return t.scope(() => {
    const preActivation = t.add(t.matmul(inputs, params.w1), params.b1);
    const hidden = t.relu(preActivation);
    const logits = t.add(t.matmul(hidden, params.w2), params.b2);
    const { loss, dLogits } = t.softmaxCrossEntropy(logits, labels);
    const second = t.matmulBackward(hidden, params.w2, dLogits);
    const dPreActivation = t.reluBackward(preActivation, second.dA);
    const first = t.matmulBackward(inputs, params.w1, dPreActivation);
    const gradients = { w1: first.dB, b1: t.sum(dPreActivation, 0), w2: second.dB, b2: t.sum(dLogits, 0) };
    return { loss, gradients };
  });
}

/**
 * The mean cross-entropy loss alone, read back as a number.
 * @example const before = await mlpLoss(t, params, x, labels);
 */
export async function mlpLoss(t: TensorCore, params: MlpParameters, inputs: Tensor, labels: Tensor | readonly number[]): Promise<number> {
  const loss = t.scope(() => {
    const hidden = t.relu(t.add(t.matmul(inputs, params.w1), params.b1));
    return t.softmaxCrossEntropy(t.add(t.matmul(hidden, params.w2), params.b2), labels).loss;
  });
  const [value] = await loss.data();
  loss.dispose();
  return value ?? Number.NaN;
}
