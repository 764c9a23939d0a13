/**
 * A Node worker thread that runs task code, one task at a time: the same {@link TaskHost} and
 * task runtime as the browser's Web Worker, with modules imported through `data:` URLs.
 * The executor terminates the thread to abort a task.
 */
import { parentPort } from 'node:worker_threads';
import { cpuTensorProvider, TaskHost } from '../worker/index.js';
import { importModuleSource } from './module-source.js';

const port = parentPort;
if (!port) throw new Error('task-thread runs as a worker thread, started by NodeExecutor');

// ctx.tensor is the CPU reference tensor core here.
const host = new TaskHost({ post: (reply) => port.postMessage(reply), importModule: importModuleSource, tensor: cpuTensorProvider() });
// The host checks each request against its schema.
port.on('message', (data: unknown) => host.receive(data));
