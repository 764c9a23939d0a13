/** The task code contract (`(input, ctx) => output`), its `ctx.comm`, and the checkpoint envelope. */
export type { BlobBytes, TaskBlobRef, ByteRange, ContextExtras, Predecessor, TaskContext, TaskFunction, TaskInfo, TaskTensorCore, WasmInstantiator } from './context.js';
export type { CallOptions, Comm, CommStats, CommValue, JsonValue, NumericValue, ReduceOp } from './comm.js';
export {
  CheckpointStateError,
  checkpointProblem,
  checkpointStateProblem,
  isCheckpointStateError,
  jsonValueProblem,
  readCheckpoint,
  taskOutputProblem,
  type CheckpointAck,
  type CheckpointEnvelope,
} from './checkpoint.js';
