/**
 * Checks, once per device, that subgroups are 4 invocations laid out as `matmul-subgroup`
 * assumes: invocation x = 0..3 of one row of a 4x8 workgroup forms one subgroup, with
 * `subgroup_invocation_id` equal to x. WGSL does not promise that layout, so it is measured.
 */
import { SUBGROUP_THREADS_X } from './kernels/matmul-subgroup.js';

const PROBE = /* wgsl */ `
enable subgroups;
diagnostic(off, subgroup_uniformity);
@group(0) @binding(0) var<storage, read_write> verdicts: array<u32>;
@compute @workgroup_size(${SUBGROUP_THREADS_X}, 8)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) index: u32,
        @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) size: u32) {
  let sameRow = subgroupBroadcast(lid.y, 0u) == lid.y && subgroupBroadcast(lid.y, ${SUBGROUP_THREADS_X - 1}u) == lid.y;
  verdicts[index] = select(0u, 1u, size == ${SUBGROUP_THREADS_X}u && lane == lid.x && sameRow);
}`;

/**
 * True when the device has the `subgroups` feature and its subgroups have the expected layout.
 * @example const useSubgroups = await probeSubgroupLayout(device);
 */
export async function probeSubgroupLayout(device: GPUDevice): Promise<boolean> {
  if (!device.features.has('subgroups')) return false;
  const bytes = SUBGROUP_THREADS_X * 8 * 4;
  const output = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.pushErrorScope('validation');
  let thrown = false;
  try {
    runProbe(device, output, readback, bytes);
  } catch {
    thrown = true;
  }
  // A device that rejects the probe (no working subgroups after all) just fails it.
  const rejected = thrown || (await device.popErrorScope()) !== null;
  try {
    if (rejected) return false;
    await readback.mapAsync(GPUMapMode.READ);
    return new Uint32Array(readback.getMappedRange()).every((verdict) => verdict === 1);
  } catch {
    return false;
  } finally {
    output.destroy();
    readback.destroy();
  }
}

function runProbe(device: GPUDevice, output: GPUBuffer, readback: GPUBuffer, bytes: number): void {
  const module = device.createShaderModule({ label: 'subgroup probe', code: PROBE });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: output } }] }));
  pass.dispatchWorkgroups(1);
  pass.end();
  encoder.copyBufferToBuffer(output, 0, readback, 0, bytes);
  device.queue.submit([encoder.finish()]);
}
