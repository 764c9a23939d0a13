// Kernel threads under Node for the unit tests: a worker_threads Worker (loaded through tsx) runs
// the same `serveKernelThread` as a browser's kernel thread, behind the pool's port.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { KernelThreadPort } from './pool.js';
import { serveKernelThread } from './serve.js';

/** Starts this file as a kernel thread, adapted to the pool's `KernelThreadPort`. */
export function spawnNodeKernelThread(): KernelThreadPort {
  // tsx's loader, registered inside the thread, so that it can import this TypeScript file.
  const api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true });
  const port: KernelThreadPort = {
    postMessage: (message) => worker.postMessage(message),
    terminate: () => void worker.terminate(),
    onmessage: null,
    onerror: null,
  };
  worker.on('message', (data: unknown) => port.onmessage?.({ data } as MessageEvent));
  worker.on('error', (error) => port.onerror?.({ message: error.message } as ErrorEvent));
  return port;
}

if (!isMainThread && parentPort !== null) {
  const parent = parentPort;
  parent.once('message', (message: unknown) => {
    void serveKernelThread(message).then((reason) => parent.postMessage({ type: 'failed', reason }));
  });
}
