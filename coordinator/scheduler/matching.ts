import type { Capabilities, Requirements } from '../../shared/index.js';

/** Why this worker cannot take the job's tasks, or undefined if it can. */
export function mismatch(capabilities: Capabilities, requires: Requirements | undefined, debugJob: boolean): string | undefined {
  if (debugJob && !capabilities.debug) return 'a debug job needs a worker that joined with debug=1';
  if (!requires) return undefined;
  if (requires.webgpu && !capabilities.webgpu) return 'needs WebGPU';
  if (requires.runtime && capabilities.runtime !== requires.runtime) return `needs a ${requires.runtime} worker`;
  if (requires.minCores && (capabilities.hardwareConcurrency ?? 0) < requires.minCores) return `needs ${requires.minCores} cores`;
  if (requires.minMemoryGb && (capabilities.deviceMemory ?? 0) < requires.minMemoryGb) return `needs ${requires.minMemoryGb} GB of memory`;
  return undefined;
}
