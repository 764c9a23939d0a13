import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = import.meta.dirname;
const require = createRequire(import.meta.url);
const tfjsWasmDist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
/** TensorFlow.js's own WebAssembly binaries, which its wasm backend fetches by name at run time. */
const TFJS_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Copies TensorFlow.js's .wasm files into the build under tfjs/, where the page points `setWasmPaths`. */
function tfjsWasmBinaries(): Plugin {
  return {
    name: 'tfjs-wasm-binaries',
    async generateBundle() {
      for (const name of TFJS_BINARIES) {
        const source = await readFile(resolve(tfjsWasmDist, 'dist', name));
        this.emitFile({ type: 'asset', fileName: `tfjs/${name}`, source });
      }
    },
  };
}

/**
 * Builds the benchmark pages into dist/bench: the raw WASM matmul page (our kernels vs
 * TensorFlow.js wasm vs a JS loop), the tensor core page (our backends through the
 * TensorCore vs TensorFlow.js webgpu and wasm vs JS loops) and the threaded WASM page (our
 * threaded matmul vs one thread vs TensorFlow.js wasm threaded).
 */
export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: resolve(root, '../dist/bench'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        'wasm-matmul': resolve(root, 'wasm-matmul.html'),
        tensor: resolve(root, 'tensor.html'),
        'volunteer-wasm': resolve(root, 'volunteer-wasm.html'),
      },
    },
  },
  // The WASM kernels' helper threads are module workers, as in the apps' build.
  worker: { format: 'es' },
  plugins: [tfjsWasmBinaries()],
});
