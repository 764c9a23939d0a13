import { isTerminal, type JobStatus, type WorkerStatus } from '../shared/index.js';

/**
 * The worker's WebGPU adapter in a few words, and its tensor backends once it measured them.
 * @example describeAdapter(worker) // 'google swiftshader', 'no WebGPU', or 'google swiftshader · tensor: wasm (wasm 45, webgpu 9.1 GFLOPS)'
 */
export function describeAdapter(worker: WorkerStatus): string {
  const tensor = describeTensor(worker);
  const adapter = describeGpu(worker);
  return tensor ? `${adapter} · ${tensor}` : adapter;
}

function describeGpu(worker: WorkerStatus): string {
  const gpu = worker.capabilities.webgpu;
  if (!gpu) return 'no WebGPU';
  const words = [gpu.vendor, gpu.architecture].filter((word) => word.length > 0);
  return words.length > 0 ? words.join(' ') : 'unknown adapter';
}

/**
 * The tensor backend a worker's tasks use, with the GFLOPS each backend measured at the
 * largest size it tried (fastest first); empty before the worker reported any.
 * @example describeTensor(worker) // 'tensor: wasm (wasm 45, webgpu 9.1 GFLOPS)'
 */
export function describeTensor(worker: WorkerStatus): string {
  const tensor = worker.capabilities.tensor;
  if (!tensor) return '';
  const size = Math.max(0, ...tensor.figures.map((figure) => figure.size));
  const figures = tensor.figures
    .filter((figure) => figure.size === size)
    .sort((a, b) => b.gflops - a.gflops)
    .map((figure) => `${figure.backend} ${figure.gflops >= 10 ? figure.gflops.toFixed(0) : figure.gflops.toFixed(1)}`);
  return figures.length > 0 ? `tensor: ${tensor.chosen.backend} (${figures.join(', ')} GFLOPS)` : `tensor: ${tensor.chosen.backend}`;
}

/**
 * What the worker holds now: `jobId/taskIndex` per lease, or 'idle'.
 * @example describeCurrentTask(worker) // 'j1/3'
 */
export function describeCurrentTask(worker: WorkerStatus): string {
  if (worker.currentTasks.length === 0) return 'idle';
  return worker.currentTasks.map((task) => `${task.jobId}/${task.taskIndex}`).join(', ');
}

/** `done/total` tasks, with failures when there are any. */
export function describeProgress(job: JobStatus): string {
  const { done, total, failed } = job.progress;
  return failed > 0 ? `${done}/${total} (${failed} failed)` : `${done}/${total}`;
}

/** A job may be cancelled until it reaches a state it never leaves. */
export function canCancel(job: JobStatus): boolean {
  return !isTerminal(job.state);
}
