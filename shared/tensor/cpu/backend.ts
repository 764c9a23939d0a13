import type { ComputeBackend, StorageId } from '../backend.js';
import { binaryReference, unaryReference } from './elementwise.js';
import { concatReference, permuteReference, sliceReference } from './layout.js';
import { matmulReference } from './matmul.js';
import { crossEntropyReference, reduceReference, softmaxReference } from './reduce.js';

/** Typed arrays cap out near 2^32 bytes in V8; stay well inside. */
const CPU_MAX_ELEMENTS = 2 ** 28;

/** The CPU reference backend: plain TypeScript over `Float32Array`s, the oracle for every other backend. */
export interface CpuBackend extends ComputeBackend {
  readonly name: 'cpu';
  /** Live storages, for tests that check nothing leaks. */
  readonly liveStorageCount: number;
}

/**
 * The CPU reference backend, used under Node (the SDK's local runner) and as the oracle in tests.
 * @example const core = new TensorCore(createCpuBackend());
 */
export function createCpuBackend(): CpuBackend {
  const storages = new Map<StorageId, Float32Array>();
  let nextId = 1;
  const store = (values: Float32Array): StorageId => {
    const id = nextId++;
    storages.set(id, values);
    return id;
  };
  const read = (id: StorageId): Float32Array => {
    const values = storages.get(id);
    if (values === undefined) throw new RangeError(`cpu backend: no storage ${id} (disposed, or from another backend)`);
    return values;
  };

  return {
    name: 'cpu',
    maxElements: CPU_MAX_ELEMENTS,
    get liveStorageCount() {
      return storages.size;
    },
    upload: (values) => store(Float32Array.from(values)),
    download: (id) => Promise.resolve(Float32Array.from(read(id))),
    dispose: (id) => void storages.delete(id),
    matmul: (a, b, params) => store(matmulReference(read(a), read(b), params)),
    binary: (op, a, b, params) => store(binaryReference(op, read(a), read(b), params)),
    unary: (op, x) => store(unaryReference(op, read(x))),
    reduce: (op, x, params) => store(reduceReference(op, read(x), params)),
    softmax: (x, params) => store(softmaxReference(read(x), params)),
    permute: (x, params) => store(permuteReference(read(x), params)),
    slice: (x, params) => store(sliceReference(read(x), params)),
    concat: (inputs, params) => store(concatReference(inputs.map(read), params)),
    softmaxCrossEntropy(logits, labels, params) {
      const result = crossEntropyReference(read(logits), read(labels), params);
      return { rowLoss: store(result.rowLoss), dLogits: store(result.dLogits) };
    },
    destroy: () => storages.clear(),
  };
}
