/**
 * What collectives carry: `Float32Array`s, tensors of the tensor core, and small JSON values;
 * their byte encodings for value messages; and tensors rebuilt on the caller's core.
 */
import { type Shape, Tensor, TensorCore, TensorStorage, createCpuBackend } from '../../shared/tensor/index.js';
import { CommProtocolError, CommUsageError } from './errors.js';

import type { CommValue, JsonValue, NumericValue } from '../../shared/index.js';

export type { CommValue, JsonValue, NumericValue };

/** Wire codes of the value types (the `detail` of value chunks). */
export const VALUE_TYPES = { f32: 1, tensor: 2, json: 3 } as const;
export type ValueType = (typeof VALUE_TYPES)[keyof typeof VALUE_TYPES];

/** A value as bytes, with its type. */
export interface EncodedValue {
  readonly type: ValueType;
  readonly bytes: Uint8Array;
}

const MAX_TENSOR_RANK = 32;

/**
 * The bytes of a value. Float32 arrays are their raw bytes; tensors are `u32 rank, u32 dims…`
 * then the raw floats; JSON is UTF-8 text.
 * @example const { type, bytes } = await encodeValue(Float32Array.of(1, 2), 'send');
 */
export async function encodeValue(value: CommValue, op: string): Promise<EncodedValue> {
  if (value instanceof Float32Array) return { type: VALUE_TYPES.f32, bytes: bytesOf(value.slice()) };
  if (value instanceof Tensor) {
    const floats = await value.data();
    const head = Uint32Array.from([value.shape.length, ...value.shape]);
    const bytes = new Uint8Array(head.byteLength + floats.byteLength);
    bytes.set(bytesOf(head), 0);
    bytes.set(bytesOf(floats), head.byteLength);
    return { type: VALUE_TYPES.tensor, bytes };
  }
  if (ArrayBuffer.isView(value)) {
    throw new CommUsageError(`${op}: ${value.constructor.name} is not carried; use a Float32Array, a Tensor or a JSON value`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new CommUsageError(`${op}: the value is not JSON`, { cause: error });
  }
  if (typeof text !== 'string') throw new CommUsageError(`${op}: the value is not JSON (${typeof value})`);
  return { type: VALUE_TYPES.json, bytes: new TextEncoder().encode(text) };
}

/**
 * The value back from its bytes; tensors are made by `makeTensor`. Throws `CommProtocolError`
 * when the bytes do not hold a value of `type`.
 * @example const value = decodeValue(encoded, (values, shape) => core.tensor(values, shape), 'recv');
 */
export function decodeValue(encoded: EncodedValue, makeTensor: TensorMaker, op: string): CommValue {
  const { type, bytes } = encoded;
  if (type === VALUE_TYPES.json) {
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as JsonValue;
    } catch (error) {
      throw new CommProtocolError(`${op}: a JSON value did not parse`, { cause: error });
    }
  }
  if (type === VALUE_TYPES.f32) return floatsOf(bytes, 0, op);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rank = bytes.byteLength >= 4 ? view.getUint32(0, true) : -1;
  if (rank < 0 || rank > MAX_TENSOR_RANK || bytes.byteLength < 4 * (1 + rank)) throw new CommProtocolError(`${op}: a tensor's shape is cut short`);
  const shape = Array.from({ length: rank }, (_, axis) => view.getUint32(4 * (1 + axis), true));
  const values = floatsOf(bytes, 4 * (1 + rank), op);
  if (shape.reduce((size, dim) => size * dim, 1) !== values.length) {
    throw new CommProtocolError(`${op}: a tensor of shape [${shape.join(', ')}] came with ${values.length} values`);
  }
  return makeTensor(values, shape);
}

/** Makes a tensor from received values. */
export type TensorMaker = (values: Float32Array, shape: Shape) => Tensor;

let fallbackCore: TensorCore | undefined;

/**
 * How a collective makes result tensors: like `input` (on its backend) when given one, else on
 * `core`, else on a CPU core of the comm's own.
 * @example const make = tensorMaker(inputTensor, options.tensors); make(values, [2, 2]);
 */
export function tensorMaker(input: CommValue | undefined, core: TensorCore | undefined): TensorMaker {
  return (values, shape) => {
    if (input instanceof Tensor) {
      if (core !== undefined) {
        const made = core.tensor(values, shape);
        if (made.storage.backend === input.storage.backend) return made;
        made.dispose();
      }
      const backend = input.storage.backend;
      return new Tensor(shape, new TensorStorage(backend, backend.upload(values)));
    }
    const target = core ?? (fallbackCore ??= new TensorCore(createCpuBackend()));
    return target.tensor(values, shape);
  };
}

/**
 * A fresh copy of a numeric value's floats, checking it is numeric.
 * @example const work = await readFloats(value, 'allReduce');
 */
export async function readFloats(value: NumericValue, op: string): Promise<Float32Array> {
  if (value instanceof Float32Array) return value.slice();
  if (value instanceof Tensor) return (await value.data()).slice();
  const kind = value === null ? 'null' : typeof value === 'object' ? ((value as { constructor?: { name?: string } }).constructor?.name ?? 'object') : typeof value;
  throw new CommUsageError(`${op}: values are a Float32Array or a Tensor, got ${kind}`);
}

/** The bytes of a typed array, without copying. */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Floats from `bytes` past `start`, copied so they are aligned and owned. */
export function floatsOf(bytes: Uint8Array, start: number, op: string): Float32Array {
  const length = bytes.byteLength - start;
  if (length % 4 !== 0) throw new CommProtocolError(`${op}: ${length} float bytes are not whole float32s`);
  const floats = new Float32Array(length / 4);
  bytesOf(floats).set(bytes.subarray(start));
  return floats;
}

/** A view of `bytes` as floats: no copy when aligned. */
export function floatView(bytes: Uint8Array): Float32Array {
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return floatsOf(bytes, 0, 'ring');
}
