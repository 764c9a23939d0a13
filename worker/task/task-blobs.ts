import { BlobRefError, WasmModuleError } from '../errors.js';
import type { BlobReader } from '../client/blob-reader.js';
import type { BlobBytes, ByteRange, WasmInstantiator } from '../../shared/index.js';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 a blob reference (`TaskBlobRef`) names.
 * @throws {BlobRefError} when it names none
 * @example blobRefSha({ blob: 'ab12…' }) // 'ab12…'
 */
export function blobRefSha(ref: unknown): string {
  const sha = typeof ref === 'object' && ref !== null ? (ref as { blob?: unknown }).blob : ref;
  if (typeof sha === 'string' && SHA256.test(sha)) return sha;
  throw new BlobRefError(`not a blob reference: ${JSON.stringify(ref) ?? String(ref)} (expected a SHA-256 in hex, or { blob: sha256 })`);
}

/**
 * The compiled WebAssembly modules of one task worker, by SHA-256: each module is downloaded
 * (through the blob cache) and compiled once, then instantiated afresh for every call, so
 * tasks do not share an instance's memory.
 * @example
 * const modules = new WasmModules();
 * const ctxWasm = modules.instantiator(readBlob);
 * const { exports } = await ctxWasm(sha, { env: { log: console.log } });
 */
export class WasmModules {
  readonly #modules = new Map<string, Promise<WebAssembly.Module>>();

  /** `ctx.wasm` for a task whose blobs come from `readBlob`. */
  instantiator(readBlob: BlobReader): WasmInstantiator {
    return async (ref, imports = {}) => {
      const sha = blobRefSha(ref);
      const module = await this.compile(sha, readBlob);
      try {
        return await WebAssembly.instantiate(module, imports);
      } catch (cause) {
        throw new WasmModuleError(`could not instantiate WebAssembly module ${sha}: ${describe(cause)}`, { cause });
      }
    };
  }

  compile(sha256: string, readBlob: BlobReader): Promise<WebAssembly.Module> {
    let module = this.#modules.get(sha256);
    if (!module) {
      module = readBlob(sha256).then((bytes) => compileModule(sha256, bytes));
      this.#modules.set(sha256, module);
      module.catch(() => this.#modules.delete(sha256));
    }
    return module;
  }
}

/**
 * `ctx.blob` for a task whose blobs come from `readBlob`. A ranged read is cut from the whole
 * blob, read through `readRanged` (by default `readBlob`; a worker passes its
 * {@link RecentBlobs}, so tiles of one blob read by later tasks do not ask for it again).
 * @throws {RangeError} (as a rejection) for a range that is not inside the blob
 */
export function blobBytes(readBlob: BlobReader, readRanged: BlobReader = readBlob): BlobBytes {
  return async (ref, range) => {
    const sha = blobRefSha(ref);
    if (range === undefined) return readBlob(sha);
    checkRange(sha, range);
    const bytes = await readRanged(sha);
    if (range.offset + range.length > bytes.length) {
      throw new RangeError(`ctx.blob: bytes ${range.offset}..${range.offset + range.length} are past the end of blob ${sha} (${bytes.length} bytes)`);
    }
    return bytes.slice(range.offset, range.offset + range.length);
  };
}

function checkRange(sha: string, range: ByteRange): void {
  const { offset, length } = range as Partial<ByteRange>;
  const whole = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (!whole(offset) || !whole(length)) {
    throw new RangeError(`ctx.blob: the range of blob ${sha} needs whole numbers { offset, length } >= 0, got ${JSON.stringify(range)}`);
  }
}

/** Bytes of whole blobs a task worker keeps for ranged reads. */
export const RECENT_BLOB_BYTES = 64 * 1024 * 1024;

/**
 * The whole blobs a task worker read lately for ranged `ctx.blob` reads, least recently used
 * dropped past `maxBytes`: the tiles of one matrix, read by task after task in this worker, come
 * from here instead of another copy out of the blob cache. Only ranged reads use it, since they
 * hand out copies; a whole read hands out bytes task code may change.
 * @example
 * const recent = new RecentBlobs();
 * const ctxBlob = blobBytes(readBlob, recent.reader(readBlob));
 */
export class RecentBlobs {
  readonly #blobs = new Map<string, Promise<Uint8Array>>();
  readonly #sizes = new Map<string, number>();

  constructor(private readonly maxBytes = RECENT_BLOB_BYTES) {}

  reader(readBlob: BlobReader): BlobReader {
    return (sha256) => this.read(sha256, readBlob);
  }

  read(sha256: string, readBlob: BlobReader): Promise<Uint8Array> {
    let bytes = this.#blobs.get(sha256);
    if (bytes) {
      // Most recently used last.
      this.#blobs.delete(sha256);
      this.#blobs.set(sha256, bytes);
      return bytes;
    }
    bytes = readBlob(sha256);
    this.#blobs.set(sha256, bytes);
    bytes.then(
      (read) => this.#keep(sha256, read.length),
      () => this.#forget(sha256),
    );
    return bytes;
  }

  #keep(sha256: string, size: number): void {
    if (!this.#blobs.has(sha256)) return;
    this.#sizes.set(sha256, size);
    let total = [...this.#sizes.values()].reduce((sum, bytes) => sum + bytes, 0);
    for (const oldest of this.#blobs.keys()) {
      if (total <= this.maxBytes) break;
      const size = this.#sizes.get(oldest);
      // One still downloading holds nothing yet.
      if (size === undefined) continue;
      total -= size;
      this.#forget(oldest);
    }
  }

  #forget(sha256: string): void {
    this.#blobs.delete(sha256);
    this.#sizes.delete(sha256);
  }
}

async function compileModule(sha256: string, bytes: Uint8Array): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  } catch (cause) {
    throw new WasmModuleError(`blob ${sha256} is not a WebAssembly module this worker can compile: ${describe(cause)}`, { cause });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
