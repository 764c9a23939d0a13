import { availableParallelism, totalmem } from 'node:os';
import type { Capabilities } from '../shared/index.js';

/**
 * What a Node worker reports about itself in `hello`: no WebGPU, its cores and memory.
 * @example
 * nodeCapabilities()
 * // { runtime: 'node', webgpu: null, hardwareConcurrency: 16, deviceMemory: 125.7, userAgent: 'node/20.20.2 tabgrid-worker', tensor: { chosen: { backend: 'cpu' }, figures: [] } }
 */
export function nodeCapabilities(debug = false): Capabilities {
  const capabilities: Capabilities = {
    runtime: 'node',
    webgpu: null,
    hardwareConcurrency: availableParallelism(),
    deviceMemory: Math.max(0.1, Math.round((totalmem() / 2 ** 30) * 10) / 10),
    userAgent: `node/${process.versions.node} tabgrid-worker`,
    // Task threads give ctx.tensor the CPU reference; nothing is measured.
    tensor: { chosen: { backend: 'cpu' }, figures: [] },
  };
  if (debug) capabilities.debug = true;
  return capabilities;
}
