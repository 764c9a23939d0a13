/**
 * Records dispatches into one command encoder (one compute pass) and submits them together:
 * when a readback needs them, or when `maxQueued` dispatches are waiting. Each batch runs
 * inside error scopes, so an out-of-memory or validation error is tied to the batch and
 * reported by `checkErrors` instead of vanishing into the console.
 */

/** What the GPU reported for a batch. */
export type BatchFailure = { kind: 'out-of-memory' | 'validation'; error: GPUError };

export class CommandRecorder {
  readonly #device: GPUDevice;
  readonly #maxQueued: number;
  readonly #afterSubmit: () => void;
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;
  #queued = 0;
  #checks: Promise<BatchFailure | undefined>[] = [];
  submits = 0;

  constructor(device: GPUDevice, maxQueued: number, afterSubmit: () => void) {
    this.#device = device;
    this.#maxQueued = maxQueued;
    this.#afterSubmit = afterSubmit;
  }

  /** Opens the batch's error scopes; call before any device or queue call that belongs to the batch. */
  begin(): void {
    if (this.#encoder !== undefined) return;
    this.#device.pushErrorScope('out-of-memory');
    this.#device.pushErrorScope('validation');
    this.#encoder = this.#device.createCommandEncoder();
  }

  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, workgroups: readonly [number, number, number]): void {
    this.begin();
    this.#pass ??= this.#encoder!.beginComputePass();
    this.#pass.setPipeline(pipeline);
    this.#pass.setBindGroup(0, bindGroup);
    this.#pass.dispatchWorkgroups(...workgroups);
    this.#queued++;
    if (this.#queued >= this.#maxQueued) this.flush();
  }

  copy(source: GPUBuffer, target: GPUBuffer, bytes: number): void {
    this.begin();
    this.#endPass();
    this.#encoder!.copyBufferToBuffer(source, 0, target, 0, bytes);
  }

  /** Submits what was recorded (if anything) and closes the batch's error scopes. */
  flush(): void {
    if (this.#encoder === undefined) return;
    this.#endPass();
    this.#device.queue.submit([this.#encoder.finish()]);
    this.#encoder = undefined;
    this.#queued = 0;
    this.submits++;
    this.#afterSubmit();
    const validation = this.#device.popErrorScope();
    const memory = this.#device.popErrorScope();
    this.#checks.push(
      Promise.all([memory, validation]).then(
        ([memoryError, validationError]): BatchFailure | undefined => {
          if (memoryError) return { kind: 'out-of-memory', error: memoryError };
          if (validationError) return { kind: 'validation', error: validationError };
          return undefined;
        },
        // popErrorScope rejects only when the device is gone, which `device.lost` reports.
        () => undefined,
      ),
    );
  }

  /** The first failure among batches submitted so far (and forgets those checks). */
  async checkErrors(): Promise<BatchFailure | undefined> {
    const checks = this.#checks;
    this.#checks = [];
    const failures = await Promise.all(checks);
    return failures.find((failure) => failure !== undefined);
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = undefined;
  }
}
