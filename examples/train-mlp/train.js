// Task code of the train-mlp demo: a two-layer perceptron trained data-parallel on a gang.
//
// Every rank builds the same dataset and the same initial weights from the seed, keeps shard
// `ctx.rank` of `ctx.size` of the rows, and each step computes the loss and gradients of its shard
// on `ctx.tensor`. One allReduce per step averages them over the gang, so every rank takes the
// same SGD step: the one a single process takes on the whole batch (the mean of equal shards'
// means is the mean of the whole). Rank 0 checkpoints every `checkpointEvery` steps; a later
// attempt of the gang resumes from `ctx.restored` and ends with the same loss curve.
//
// The module is sent as source to browser tabs and imported from a blob: URL, so it imports
// nothing. Without a gang (`ctx.comm` absent) it trains alone, on the whole dataset.

const PARAMETERS = ['w1', 'b1', 'w2', 'b2'];
const CLUSTERS_PER_CLASS = 2;
const CLUSTER_SPREAD = 0.6;

/**
 * @param {{ seed: number, samples: number, features: number, hidden: number, classes: number,
 *   steps: number, learningRate: number, checkpointEvery: number }} config
 * @returns {Promise<{ losses: number[], steps: number, ranks: number, accuracy: number, resumedFrom: number }>}
 */
export default async function trainMlp(config, ctx) {
  const t = ctx.tensor;
  if (!t) throw new Error('train-mlp needs ctx.tensor, the tensor core');
  const rank = ctx.rank ?? 0;
  const size = ctx.size ?? 1;
  checkConfig(config, size);
  const shard = shardOf(makeDataset(config), config, rank, size);
  const restored = checkRestored(ctx.restored, config);
  const start = restored?.step ?? 0;
  const losses = restored ? [...restored.losses] : [];
  if (rank === 0) ctx.log(start > 0 ? `resuming at step ${start} of ${config.steps}` : `training on ${size} rank(s), ${t.backendName}`);

  const x = t.tensor(shard.inputs, [shard.rows, config.features]);
  const labels = t.tensor(shard.labels, [shard.rows]);
  let params = uploadParams(t, restored?.params ?? initialParams(config), config);
  try {
    for (let step = start; step < config.steps; step++) {
      const local = await lossAndGradients(t, params, x, labels);
      // One bucket per step, loss last: what DDP does with its gradient buckets, one collective.
      const mean = ctx.comm ? await ctx.comm.allReduce(local, 'mean') : local;
      const loss = mean[mean.length - 1];
      losses.push(loss);
      params = sgdStep(t, params, mean, config);
      ctx.progress((step + 1) / config.steps);
      if (rank === 0 && (step + 1) % logEvery(config.steps) === 0) ctx.log(`step ${step + 1}/${config.steps} loss ${loss.toFixed(4)}`);
      if (rank === 0 && config.checkpointEvery > 0 && (step + 1) % config.checkpointEvery === 0) {
        // A copy of the losses: the runtime may serialise the state after this loop has pushed more.
        await ctx.checkpoint({ step: step + 1, params: await downloadParams(params), losses: [...losses] });
      }
    }
    const accuracy = await globalAccuracy(t, params, x, shard.labels, ctx.comm, config.samples);
    if (rank === 0) ctx.log(`final loss ${losses[losses.length - 1]?.toFixed(4)}, accuracy ${(accuracy * 100).toFixed(1)}%`);
    return { losses, steps: config.steps, ranks: size, accuracy, resumedFrom: start };
  } finally {
    x.dispose();
    labels.dispose();
    for (const name of PARAMETERS) params[name].dispose();
  }
}

function checkConfig(config, size) {
  for (const key of ['seed', 'samples', 'features', 'hidden', 'classes', 'steps', 'checkpointEvery']) {
    if (!Number.isInteger(config?.[key]) || config[key] < 0) throw new TypeError(`config.${key} must be a whole number >= 0, got ${config?.[key]}`);
  }
  if (!(config.learningRate > 0)) throw new TypeError(`config.learningRate must be > 0, got ${config.learningRate}`);
  if (config.classes < 2) throw new TypeError(`config.classes must be at least 2, got ${config.classes}`);
  if (config.samples === 0 || config.samples % size !== 0) {
    throw new RangeError(`config.samples (${config.samples}) must be a positive multiple of the gang size (${size}): ranks take equal shards`);
  }
}

// mulberry32: a seeded generator of uniform numbers in [0, 1), the same on every JavaScript engine.
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

// Roughly a standard normal (sum of four uniforms, variance 1/3, scaled). Only + and *, so every
// engine gets the same bits; Math.log and Math.cos may differ in the last place between engines.
function gaussianish(random) {
  return (random() + random() + random() + random() - 2) * 1.7320508075688772;
}

// Each class is a few clusters around random centres; sample i has class i % classes, so every
// contiguous shard holds the classes in equal measure.
function makeDataset({ seed, samples, features, classes }) {
  const random = createRandom(seed);
  const centres = Array.from({ length: classes * CLUSTERS_PER_CLASS }, () => Array.from({ length: features }, () => 4 * random() - 2));
  const inputs = new Float32Array(samples * features);
  const labels = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const label = i % classes;
    const centre = centres[label * CLUSTERS_PER_CLASS + (Math.floor(i / classes) % CLUSTERS_PER_CLASS)];
    for (let j = 0; j < features; j++) inputs[i * features + j] = centre[j] + CLUSTER_SPREAD * gaussianish(random);
    labels[i] = label;
  }
  return { inputs, labels };
}

function shardOf(dataset, { samples, features }, rank, size) {
  const rows = samples / size;
  const first = rank * rows;
  return {
    rows,
    inputs: dataset.inputs.slice(first * features, (first + rows) * features),
    labels: dataset.labels.slice(first, first + rows),
  };
}

function parameterShapes({ features, hidden, classes }) {
  return { w1: [features, hidden], b1: [hidden], w2: [hidden, classes], b2: [classes] };
}

// Glorot-uniform weights, zero biases; the weights' generator is seeded apart from the data's.
function initialParams(config) {
  const random = createRandom(config.seed ^ 0x9e3779b9);
  const glorot = (fanIn, fanOut) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return Array.from({ length: fanIn * fanOut }, () => (2 * random() - 1) * limit);
  };
  return {
    w1: glorot(config.features, config.hidden),
    b1: new Array(config.hidden).fill(0),
    w2: glorot(config.hidden, config.classes),
    b2: new Array(config.classes).fill(0),
  };
}

// A checkpoint of another configuration would train a different model: refuse it loudly.
function checkRestored(restored, config) {
  if (restored === undefined || restored === null) return undefined;
  const shapes = parameterShapes(config);
  const { step, params, losses } = restored;
  const fits = Number.isInteger(step) && step >= 0 && step <= config.steps
    && Array.isArray(losses) && losses.length === step
    && PARAMETERS.every((name) => Array.isArray(params?.[name]) && params[name].length === shapes[name].reduce((a, b) => a * b, 1));
  if (!fits) throw new Error('ctx.restored is not a checkpoint of this configuration ({ step, params: { w1, b1, w2, b2 }, losses })');
  return restored;
}

function uploadParams(t, values, config) {
  const shapes = parameterShapes(config);
  return Object.fromEntries(PARAMETERS.map((name) => [name, t.tensor(values[name], shapes[name])]));
}

async function downloadParams(params) {
  const values = await Promise.all(PARAMETERS.map((name) => params[name].data()));
  return Object.fromEntries(PARAMETERS.map((name, index) => [name, Array.from(values[index])]));
}

// The shard's gradients (w1, b1, w2, b2, each flattened) and its mean loss, in one Float32Array.
async function lossAndGradients(t, params, x, labels) {
  const bucket = t.scope(() => {
    const preActivation = t.add(t.matmul(x, params.w1), params.b1);
    const hidden = t.relu(preActivation);
    const logits = t.add(t.matmul(hidden, params.w2), params.b2);
    const { loss, dLogits } = t.softmaxCrossEntropy(logits, labels);
    const second = t.matmulBackward(hidden, params.w2, dLogits);
    const dPreActivation = t.reluBackward(preActivation, second.dA);
    // The inputs need no gradient, so only dW1 = xᵀ·dPre of the first layer's backward pass.
    const dW1 = t.matmul(x, dPreActivation, { transposeA: true });
    const parts = [dW1, t.sum(dPreActivation, 0), second.dB, t.sum(dLogits, 0), loss];
    return t.concat(parts.map((part) => t.reshape(part, [-1])));
  });
  try {
    return await bucket.data();
  } finally {
    bucket.dispose();
  }
}

// params - learningRate · gradient, on the device; the old parameters are freed.
function sgdStep(t, params, bucket, config) {
  const shapes = parameterShapes(config);
  const gradients = t.tensor(bucket.slice(0, bucket.length - 1));
  try {
    return t.scope(() => {
      const next = {};
      let offset = 0;
      for (const name of PARAMETERS) {
        const length = shapes[name].reduce((a, b) => a * b, 1);
        const gradient = t.reshape(t.slice(gradients, [offset], [length]), shapes[name]);
        next[name] = t.sub(params[name], t.mul(gradient, config.learningRate));
        offset += length;
      }
      return next;
    });
  } finally {
    gradients.dispose();
    for (const name of PARAMETERS) params[name].dispose();
  }
}

async function globalAccuracy(t, params, x, labels, comm, samples) {
  const logits = t.scope(() => t.add(t.matmul(t.relu(t.add(t.matmul(x, params.w1), params.b1)), params.w2), params.b2));
  const classes = logits.shape[1];
  let values;
  try {
    values = await logits.data();
  } finally {
    logits.dispose();
  }
  let correct = 0;
  for (let row = 0; row < labels.length; row++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[row * classes + c] > values[row * classes + best]) best = c;
    if (best === labels[row]) correct++;
  }
  const total = comm ? (await comm.allReduce(Float32Array.of(correct), 'sum'))[0] : correct;
  return total / samples;
}

function logEvery(steps) {
  return Math.max(1, Math.floor(steps / 10));
}
