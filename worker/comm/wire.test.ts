import { describe, expect, it } from 'vitest';
import { Tensor, TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import { VALUE_TYPES, decodeValue, encodeValue, tensorMaker } from './values.js';
import { HEADER_BYTES, type MessageHeader, decodeMessage, encodeMessage } from './wire.js';

const HEADER: MessageHeader = { op: 'allReduce', kind: 'ring', detail: 2, seq: 7, step: 3, chunk: 2, total: 64, offset: 16, length: 8, root: 0 };

describe('messages', () => {
  it('round-trip a header and its payload, little-endian, 32 bytes of header', () => {
    const payload = new Uint8Array(new Float32Array([1.5, -2]).buffer);
    const bytes = encodeMessage(HEADER, payload);
    expect(bytes.byteLength).toBe(HEADER_BYTES + 8);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([1, 6, 2, 2, 7, 0, 0, 0]);
    const decoded = decodeMessage(bytes);
    if ('error' in decoded) throw decoded.error;
    expect(decoded.header).toEqual(HEADER);
    expect(Array.from(new Float32Array(decoded.payload.slice().buffer))).toEqual([1.5, -2]);
  });

  it('say what is wrong with a malformed one, and which collective it claims', () => {
    const good = encodeMessage(HEADER, new Uint8Array(8));
    const broken = (index: number, value: number): Uint8Array => good.map((byte, at) => (at === index ? value : byte));
    const cases: [Uint8Array, RegExp, boolean][] = [
      [good.subarray(0, 31), /shorter than the 32-byte header/, false],
      [broken(0, 2), /wire version 2/, false],
      [broken(1, 99), /unknown op code 99/, false],
      [broken(2, 7), /allReduce #7: unknown message kind 7/, true],
      [broken(3, 9), /unknown reduce op 9/, true],
      [broken(24, 12), /header says 12 payload bytes, message carries 8/, true],
      [broken(20, 60), /overruns the 64-byte value/, true],
      [broken(20, 17), /not aligned to float32/, true],
      [encodeMessage({ ...HEADER, kind: 'value', detail: 4 }, new Uint8Array(8)), /unknown value type 4/, true],
    ];
    for (const [bytes, message, claimed] of cases) {
      const decoded = decodeMessage(bytes);
      if (!('error' in decoded)) throw new Error(`accepted ${message}`);
      expect(decoded.error.name).toBe('CommProtocolError');
      expect(decoded.error.message).toMatch(message);
      expect(decoded.claimed, String(message)).toEqual(claimed ? { op: 'allReduce', seq: 7 } : undefined);
    }
  });

  it('refuse header fields that are not u32 and payloads that disagree with the header', () => {
    expect(() => encodeMessage({ ...HEADER, seq: -1 }, new Uint8Array(8))).toThrow(RangeError);
    expect(() => encodeMessage({ ...HEADER, total: 2 ** 32 }, new Uint8Array(8))).toThrow(RangeError);
    expect(() => encodeMessage(HEADER, new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('values', () => {
  const core = new TensorCore(createCpuBackend());
  const make = tensorMaker(undefined, core);

  it('round-trip floats, tensors and JSON', async () => {
    const floats = await encodeValue(Float32Array.of(1, 2, 3), 'send');
    expect(floats.type).toBe(VALUE_TYPES.f32);
    expect(Array.from(decodeValue(floats, make, 'recv') as Float32Array)).toEqual([1, 2, 3]);
    const tensor = decodeValue(await encodeValue(core.tensor([1, 2, 3, 4, 5, 6], [3, 1, 2]), 'send'), make, 'recv') as Tensor;
    expect(tensor).toBeInstanceOf(Tensor);
    expect(tensor.shape).toEqual([3, 1, 2]);
    expect(Array.from(await tensor.data())).toEqual([1, 2, 3, 4, 5, 6]);
    const scalar = decodeValue(await encodeValue(core.tensor(5), 'send'), make, 'recv') as Tensor;
    expect(scalar.shape).toEqual([]);
    expect(decodeValue(await encodeValue({ a: [1, null, 'x'] }, 'send'), make, 'recv')).toEqual({ a: [1, null, 'x'] });
  });

  it('refuse bytes that do not hold their type', () => {
    const cut = (type: 1 | 2 | 3, bytes: number[]): (() => unknown) => () => decodeValue({ type, bytes: Uint8Array.from(bytes) }, make, 'recv');
    expect(cut(1, [0, 0, 0])).toThrow(/not whole float32s/);
    expect(cut(2, [1, 0])).toThrow(/shape is cut short/);
    expect(cut(2, [1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0])).toThrow(/shape \[3\] came with 1 values/);
    expect(cut(3, [0xff])).toThrow(/did not parse/);
  });
});
