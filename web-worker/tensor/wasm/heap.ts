import { WasmMemoryError } from './errors.js';

/** Every block starts on a cache line, which also keeps v128 accesses aligned. */
export const BLOCK_ALIGN = 64;
const PAGE_BYTES = 65536;

interface FreeBlock {
  address: number;
  bytes: number;
}

/**
 * First-fit allocator over a WebAssembly memory, from `base` up. Freed blocks are kept
 * sorted and merged with their neighbours; the memory grows when nothing free fits.
 * @example const heap = new LinearHeap(memory, exports.heapBase()); const p = heap.allocate(4096); heap.release(p, 4096);
 */
export class LinearHeap {
  readonly #memory: WebAssembly.Memory;
  readonly #free: FreeBlock[] = [];
  #top: number;
  #inUse = 0;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.#memory = memory;
    this.#top = alignUp(base);
  }

  /** Bytes handed out and not yet released (rounded up to whole blocks). */
  get bytesInUse(): number {
    return this.#inUse;
  }

  /** Address of `bytes` bytes (at least one block) on a BLOCK_ALIGN boundary; contents are whatever was there. */
  allocate(bytes: number): number {
    const size = blockSize(bytes);
    const index = this.#free.findIndex((block) => block.bytes >= size);
    const block = this.#free[index];
    this.#inUse += size;
    if (block !== undefined) {
      const address = block.address;
      if (block.bytes === size) this.#free.splice(index, 1);
      else Object.assign(block, { address: address + size, bytes: block.bytes - size });
      return address;
    }
    const address = this.#top;
    this.#ensureCapacity(address + size);
    this.#top = address + size;
    return address;
  }

  /** Gives back a block from `allocate(bytes)`, with the same `bytes`. */
  release(address: number, bytes: number): void {
    const size = blockSize(bytes);
    this.#inUse -= size;
    let index = this.#free.findIndex((block) => block.address > address);
    if (index === -1) index = this.#free.length;
    this.#free.splice(index, 0, { address, bytes: size });
    this.#mergeAround(index);
    const last = this.#free.at(-1);
    if (last !== undefined && last.address + last.bytes === this.#top) {
      this.#top = last.address;
      this.#free.pop();
    }
  }

  #mergeAround(index: number): void {
    const next = this.#free[index + 1];
    const block = this.#free[index];
    if (block !== undefined && next !== undefined && block.address + block.bytes === next.address) {
      block.bytes += next.bytes;
      this.#free.splice(index + 1, 1);
    }
    const previous = this.#free[index - 1];
    if (previous !== undefined && block !== undefined && previous.address + previous.bytes === block.address) {
      previous.bytes += block.bytes;
      this.#free.splice(index, 1);
    }
  }

  #ensureCapacity(end: number): void {
    const available = this.#memory.buffer.byteLength;
    if (end <= available) return;
    const needed = Math.ceil((end - available) / PAGE_BYTES);
    // Growing by a quarter at least keeps a run of allocations from growing page by page.
    const pages = Math.max(needed, Math.ceil(available / PAGE_BYTES / 4));
    try {
      this.#memory.grow(pages);
    } catch (first) {
      try {
        this.#memory.grow(needed);
      } catch {
        throw new WasmMemoryError(
          `cannot grow WebAssembly memory from ${available} to ${end} bytes`,
          { cause: first },
        );
      }
    }
  }
}

function alignUp(value: number): number {
  return Math.ceil(value / BLOCK_ALIGN) * BLOCK_ALIGN;
}

function blockSize(bytes: number): number {
  return Math.max(BLOCK_ALIGN, alignUp(bytes));
}
