import { newId } from './ids.js';

/** One member of a gang attempt. */
export interface GangMember {
  rank: number;
  workerId: string;
  leaseId: string;
  peerId: string;
  reported: boolean;
  output?: unknown;
}

/** Several workers leased one task together; it is done when every member has reported. */
export class GangAttempt {
  readonly id = newId('gang');
  readonly members: GangMember[];

  constructor(
    readonly jobId: string,
    readonly taskIndex: number,
    workers: { workerId: string; leaseId: string }[],
    readonly resultRank: number,
    /** Every rank runs on one node worker (it has no WebRTC, so it never shares a gang). */
    readonly onNode = false,
  ) {
    this.members = workers.map((worker, rank) => ({ ...worker, rank, peerId: newId('peer', 24), reported: false }));
  }

  get peerIds(): string[] {
    return this.members.map((member) => member.peerId);
  }

  report(rank: number, output: unknown): void {
    const member = this.members[rank];
    if (!member) return;
    member.reported = true;
    member.output = output;
  }

  get workerIds(): string[] {
    return this.members.map((member) => member.workerId);
  }

  anyReported(): boolean {
    return this.members.some((member) => member.reported);
  }

  allReported(): boolean {
    return this.members.every((member) => member.reported);
  }

  /** The task's output: what the result rank returned. */
  output(): unknown {
    return this.members[this.resultRank]?.output;
  }
}

/** Live gang attempts, and the peer ids they issued (only those may register with signalling). */
export class GangTable {
  private readonly attempts = new Map<string, GangAttempt>();
  private readonly peers = new Set<string>();

  add(attempt: GangAttempt): void {
    this.attempts.set(attempt.id, attempt);
    for (const peerId of attempt.peerIds) this.peers.add(peerId);
  }

  get(id: string): GangAttempt | undefined {
    return this.attempts.get(id);
  }

  remove(id: string): GangAttempt | undefined {
    const attempt = this.attempts.get(id);
    if (!attempt) return undefined;
    this.attempts.delete(id);
    for (const peerId of attempt.peerIds) this.peers.delete(peerId);
    return attempt;
  }

  ofJob(jobId: string): GangAttempt[] {
    return [...this.attempts.values()].filter((attempt) => attempt.jobId === jobId);
  }

  isIssuedPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }
}
