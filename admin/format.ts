import { isTerminal, type JobStatus, type WorkerStatus } from '../shared/index.js';

/**
 * The worker's WebGPU adapter in a few words.
 * @example describeAdapter(worker) // 'google swiftshader', or 'no WebGPU'
 */
export function describeAdapter(worker: WorkerStatus): string {
  const gpu = worker.capabilities.webgpu;
  if (!gpu) return 'no WebGPU';
  const words = [gpu.vendor, gpu.architecture].filter((word) => word.length > 0);
  return words.length > 0 ? words.join(' ') : 'unknown adapter';
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
