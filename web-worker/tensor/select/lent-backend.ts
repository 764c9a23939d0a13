import type { ComputeBackend, StorageId } from '../../../shared/tensor/index.js';

/**
 * A view of a shared backend for one user (a task, a measurement): every op goes to `shared`,
 * and `destroy()` frees the storages made through this view that are still alive — not the
 * backend, which other tasks go on using. So a `TensorCore` over it can be destroyed when its
 * task ends, reclaiming whatever the task forgot to dispose.
 * @example
 * const core = new TensorCore(lendBackend(wasm));
 * await runTask(core);
 * core.destroy(); // frees the task's leftovers; `wasm` lives on
 */
export function lendBackend(shared: ComputeBackend): ComputeBackend {
  const made = new Set<StorageId>();
  let destroyed = false;
  const own = (make: () => StorageId): StorageId => {
    if (destroyed) throw new RangeError(`${shared.name} backend: this view of the backend was destroyed`);
    const id = make();
    made.add(id);
    return id;
  };
  return {
    name: shared.name,
    maxElements: shared.maxElements,
    upload: (values) => own(() => shared.upload(values)),
    download: (id) => shared.download(id),
    dispose(id) {
      if (made.delete(id)) shared.dispose(id);
    },
    matmul: (a, b, params) => own(() => shared.matmul(a, b, params)),
    binary: (op, a, b, params) => own(() => shared.binary(op, a, b, params)),
    unary: (op, x, size) => own(() => shared.unary(op, x, size)),
    reduce: (op, x, params) => own(() => shared.reduce(op, x, params)),
    softmax: (x, params) => own(() => shared.softmax(x, params)),
    permute: (x, params) => own(() => shared.permute(x, params)),
    slice: (x, params) => own(() => shared.slice(x, params)),
    concat: (inputs, params) => own(() => shared.concat(inputs, params)),
    softmaxCrossEntropy(logits, labels, params) {
      if (destroyed) throw new RangeError(`${shared.name} backend: this view of the backend was destroyed`);
      const { rowLoss, dLogits } = shared.softmaxCrossEntropy(logits, labels, params);
      return { rowLoss: own(() => rowLoss), dLogits: own(() => dLogits) };
    },
    destroy() {
      destroyed = true;
      for (const id of made) shared.dispose(id);
      made.clear();
    },
  };
}
