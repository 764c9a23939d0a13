import { BlobRefError, WasmModuleError } from './errors.js';
import type { BlobReader } from './blob-reader.js';

/** A blob named by its SHA-256: the hex string, or `{ blob: sha256 }` as in job specs. */
export type BlobRef = string | { blob: string };

/** `ctx.wasm`: instantiates the WebAssembly module stored as a blob. */
export type WasmInstantiator = (ref: BlobRef, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>;

/** `ctx.blob`: the bytes of a blob (verified, through the worker's blob cache). */
export type BlobBytes = (ref: BlobRef) => Promise<Uint8Array>;

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 a {@link BlobRef} names.
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

/** `ctx.blob` for a task whose blobs come from `readBlob`. */
export function blobBytes(readBlob: BlobReader): BlobBytes {
  return (ref) => {
    try {
      return readBlob(blobRefSha(ref));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
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
