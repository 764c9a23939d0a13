/**
 * What the comm lab page (`lab.html`) exposes as `window.commLab`, for the browser tests
 * (`e2e/comm.spec.ts`) and the benchmark (`bench/comm.ts`). Everything crosses as plain JSON;
 * float vectors cross as base64 of their little-endian bytes.
 */
import type { CommStats } from '../../worker/index.js';
import type { ReduceOp } from '../../worker/index.js';

/** How a tab joins its gang. */
export interface CommLabJoin {
  readonly rank: number;
  readonly size: number;
  /** Every member's PeerJS id, by rank. */
  readonly ids: readonly string[];
  readonly peerHost: string;
  readonly peerPort: number;
  readonly peerPath: string;
  readonly key: string;
  /** Forming the gang and each collective. @default 30_000 */
  readonly timeoutMs?: number;
  /** The comm's largest message. @default 65_536 */
  readonly messageBytes?: number;
}

/** Collectives the lab runs on its rank's pattern vector (`rankValues(rank, length)`). */
export type LabCollective = 'allReduce' | 'reduceScatter' | 'reduce' | 'broadcast' | 'gather' | 'allGather' | 'barrier' | 'sendRecv' | 'json';

/** One collective to run on this rank. */
export interface LabRun {
  readonly collective: LabCollective;
  readonly length: number;
  readonly op?: ReduceOp;
  readonly root?: number;
  /** Pass a tensor (CPU core) instead of a Float32Array. */
  readonly tensor?: boolean;
  readonly timeoutMs?: number;
}

/** A float result: its values as base64 and, for tensors, the shape. */
export interface LabFloats {
  readonly base64: string;
  readonly shape?: number[];
}

/** What a collective gave this rank: `LabFloats`, `LabFloats[]`, `null`, or JSON values. */
export type LabResult = unknown;

/** A collective's outcome: its result, or the error it rejected with, and how long it took. */
export type LabOutcome =
  | { readonly ok: true; readonly result: LabResult; readonly ms: number }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string }; readonly ms: number };

/** The receiving end of a raw pair measurement. */
export interface RawReceived {
  readonly bytes: number;
  readonly messages: number;
  /** From the first message to the last. */
  readonly seconds: number;
}

/** The sending end: from the first send until the receiver acknowledged the last byte. */
export interface RawSent {
  readonly bytes: number;
  readonly seconds: number;
  readonly maxBufferedAmount: number;
}

/** One allReduce timing on this rank: the barrier before it, then the call. */
export interface AllReduceTiming {
  readonly seconds: number[];
  /** The first result equalled the expected sum exactly. */
  readonly exact: boolean;
}

/** A dial from outside the gang. */
export interface StrangerDial extends Pick<CommLabJoin, 'peerHost' | 'peerPort' | 'peerPath' | 'key'> {
  readonly ownId: string;
  readonly targetId: string;
  readonly waitMs: number;
}

/** `window.commLab`. */
export interface CommLab {
  /** Joins the PeerJS server and forms the gang. */
  start(join: CommLabJoin): Promise<{ rank: number; size: number; maxMessageBytes: number }>;
  run(request: LabRun): Promise<LabOutcome>;
  /**
   * Diverts this tab's messages from the comm to a raw measurement; with `from`, expects `bytes`
   * from that rank. Arm every tab taking part before any of them sends. Resolves at once.
   */
  armRaw(request: { from?: number; bytes?: number }): void;
  /** Sends `bytes` raw to rank `to` in messages of `messageBytes`, keeping the channel under `highWaterBytes`. */
  rawSend(request: { to: number; bytes: number; messageBytes: number; highWaterBytes: number }): Promise<RawSent>;
  /** Waits for what the armed measurement expected, then gives messages back to the comm. */
  disarmRaw(): Promise<RawReceived | null>;
  /** `repeats` allReduces of `floats` values, each after a barrier. */
  timeAllReduce(request: { floats: number; repeats: number }): Promise<AllReduceTiming>;
  /** The comm's counters, and the connections the transport refused. */
  stats(): { comm: CommStats; refusedConnections: number };
  /**
   * As a peer outside any gang (a tab of its own, not started): dials `targetId` through the
   * server and, should the channel open, sends a well-formed message. Says after `waitMs`
   * what happened.
   */
  dialAsStranger(request: StrangerDial): Promise<{ opened: boolean; sent: boolean; closed: boolean }>;
  close(): void;
}
