import type { ContextExtras } from '../../shared/index.js';
import type { TensorCore } from '../../shared/tensor/index.js';
import type { Comm } from '../comm/comm.js';
import { createComm } from '../comm/gang-comm.js';
import { createPortTransport } from '../comm/port-transport.js';
import type { GangPort } from './gang-link.js';


/** A gang task's `ctx.rank`, `ctx.size` and `ctx.comm`, and the end of its comm. */
export interface TaskComm {
  readonly extras: ContextExtras;
  readonly comm: Comm;
  /** The task ended: its comm closes (the links themselves are the executor's to close). */
  close(): void;
}

/**
 * `ctx.comm` of a gang task, over the port its executor relays the member's links through.
 * Tensors that arrive are made on `tensors()` (the task's `ctx.tensor`), asked for only then.
 * @example
 * const gang = request.comm ? taskComm(request.comm, () => tensors.core) : undefined;
 * const extras = { ...others, ...gang?.extras };
 */
export function taskComm(port: GangPort, tensors?: () => TensorCore): TaskComm {
  const transport = createPortTransport(port.port, port);
  const comm = createComm(transport, { timeoutMs: port.timeoutMs, ...(tensors ? { tensors } : {}) });
  return { extras: { rank: port.rank, size: port.size, comm }, comm, close: () => comm.close() };
}
