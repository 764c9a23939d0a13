import { describe, expect, it } from 'vitest';
import { isWasmMemoryError } from './errors.js';
import { BLOCK_ALIGN, LinearHeap } from './heap.js';

const PAGE = 65536;

describe('LinearHeap', () => {
  it('hands out aligned, disjoint blocks from the base up', () => {
    const heap = new LinearHeap(new WebAssembly.Memory({ initial: 1 }), 100);
    const a = heap.allocate(10);
    const b = heap.allocate(100);
    const c = heap.allocate(0);
    expect([a, b, c]).toEqual([128, 192, 320]);
    [a, b, c].forEach((address) => expect(address % BLOCK_ALIGN).toBe(0));
    expect(heap.bytesInUse).toBe(64 + 128 + 64);
  });

  it('reuses a freed block first-fit and splits what is left of it', () => {
    const heap = new LinearHeap(new WebAssembly.Memory({ initial: 1 }), 0);
    const a = heap.allocate(256);
    heap.allocate(64);
    heap.release(a, 256);
    expect(heap.allocate(64)).toBe(a);
    expect(heap.allocate(128)).toBe(a + 64);
    expect(heap.allocate(128)).toBe(320);
  });

  it('merges neighbouring free blocks and gives the top back', () => {
    const heap = new LinearHeap(new WebAssembly.Memory({ initial: 1 }), 0);
    const blocks = [heap.allocate(64), heap.allocate(64), heap.allocate(64), heap.allocate(64)];
    const [a, b, c, d] = blocks as [number, number, number, number];
    heap.release(a, 64);
    heap.release(c, 64);
    heap.release(b, 64);
    expect(heap.allocate(192)).toBe(a);
    heap.release(a, 192);
    heap.release(d, 64);
    expect(heap.bytesInUse).toBe(0);
    expect(heap.allocate(1000)).toBe(0);
  });

  it('grows the memory when nothing free fits, keeping what was written', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new LinearHeap(memory, 0);
    const first = heap.allocate(1000);
    new Uint8Array(memory.buffer, first, 4).set([1, 2, 3, 4]);
    const big = heap.allocate(10 * PAGE);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(big + 10 * PAGE);
    expect(Array.from(new Uint8Array(memory.buffer, first, 4))).toEqual([1, 2, 3, 4]);
  });

  it('throws WasmMemoryError, with the engine error as cause, when the memory cannot grow', () => {
    const heap = new LinearHeap(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 0);
    let thrown: unknown;
    try {
      heap.allocate(3 * PAGE);
    } catch (error) {
      thrown = error;
    }
    expect(isWasmMemoryError(thrown)).toBe(true);
    expect((thrown as Error).cause).toBeInstanceOf(RangeError);
    expect(heap.allocate(PAGE)).toBe(0);
  });
});
