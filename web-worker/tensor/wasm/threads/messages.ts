/**
 * The one message between a kernel pool and a kernel thread it starts: the compiled threaded
 * module, the shared memory every thread's instance works in, the pool's control block and the
 * thread's slot in it. Afterwards they speak only through the control block (`control.ts`); a
 * thread that cannot start says why with `KernelThreadFailed`.
 */
import { z } from 'zod';

/** Pool → thread: instantiate `module` over `memory`, then serve slot `slot` of `control`. */
export const KernelThreadStart = z.object({
  type: z.literal('start'),
  module: z.instanceof(WebAssembly.Module),
  memory: z.instanceof(WebAssembly.Memory),
  // Not `z.instanceof`: a scope that is not cross-origin isolated has no SharedArrayBuffer at all.
  control: z.custom<SharedArrayBuffer>((value) => typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer, { message: 'expected a SharedArrayBuffer' }),
  slot: z.number().int().min(0),
});
export type KernelThreadStart = z.infer<typeof KernelThreadStart>;

/** Thread → pool: it will serve no calls, and why. */
export const KernelThreadFailed = z.object({ type: z.literal('failed'), reason: z.string() });
export type KernelThreadFailed = z.infer<typeof KernelThreadFailed>;
