// The house's rules, checked by `npm run check:imports` (part of `npm test`). DESIGN.md, "Layout".
const ROOMS = '(shared|coordinator|worker|web-worker|node-worker|sdk|admin|e2e|bench|examples|scripts)';
// The faces other rooms may import: a room's index.ts, and a few declared sub-faces.
const FACES = [
  '^(shared|coordinator|worker|node-worker|sdk)/index\\.ts$',
  '^shared/tensor/index\\.ts$',
  '^web-worker/(comm|store|tensor)/index\\.ts$',
];
// Tests, benchmarks, lab pages and test support: they may use a room's testing.ts face.
const TESTS = ['\\.test\\.ts$', '^e2e/', '^bench/', '^[^/]+/testing\\.ts$', '/lab\\.ts$', '/lab-raw\\.ts$', '/test-support\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles make a room impossible to read or test on its own.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-imports-no-room',
      comment: 'shared/ is what every side speaks; it depends on none of them.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: `^${ROOMS}/`, pathNot: '^shared/' },
    },
    {
      name: 'worker-core-is-runtime-neutral',
      comment: 'worker/ runs in a tab, a Web Worker, a Node thread and the local runner: no Node built-ins, no browser libraries, no hosts.',
      severity: 'error',
      from: { path: '^worker/', pathNot: TESTS },
      to: { path: ['^(web-worker|node-worker|coordinator|sdk|admin)/', 'node_modules/(dexie|peerjs|@hono|hono|better-sqlite3)/'] },
    },
    {
      name: 'worker-core-no-node-builtins',
      severity: 'error',
      from: { path: '^worker/', pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'coordinator-and-workers-meet-in-shared',
      comment: 'The coordinator and the volunteer side never import each other: they meet in shared/ schemas.',
      severity: 'error',
      from: { path: '^coordinator/' },
      to: { path: '^(worker|web-worker|node-worker)/' },
    },
    {
      name: 'workers-do-not-import-the-coordinator',
      severity: 'error',
      from: { path: '^(worker|web-worker|node-worker)/', pathNot: TESTS },
      to: { path: '^coordinator/' },
    },
    {
      name: 'only-through-faces',
      comment: "Another room is reached through its index.ts (its public face), never past it.",
      severity: 'error',
      from: { path: `^${ROOMS}/`, pathNot: '^(e2e|bench)/' },
      to: { path: `^${ROOMS}/`, pathNot: ['^$1/', ...FACES, '^[^/]+/testing\\.ts$', '^scripts/'] },
    },
    {
      name: 'browser-tests-through-faces',
      comment: 'e2e and bench drive the browser host through its pages and sub-faces, the examples and each other; other rooms only through their faces.',
      severity: 'error',
      from: { path: '^(e2e|bench)/' },
      to: { path: `^${ROOMS}/`, pathNot: ['^(e2e|bench|examples|web-worker)/', ...FACES, '^[^/]+/testing\\.ts$'] },
    },
    {
      name: 'testing-faces-are-for-tests',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { path: '^[^/]+/testing\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|web-worker/tensor/wasm/assembly)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
