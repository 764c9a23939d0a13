import { describe, expect, it } from 'vitest';
import { IllegalMoveError, JOB_STATES, TASK_STATES, assertJobMove, assertTaskMove, isTerminal } from './states.js';

// The state machines written out arrow by arrow: a move added to or dropped from the tables fails here.
const TASK_ARROWS = [
  'blocked → ready',
  'blocked → cancelled',
  'ready → leased',
  'ready → failed',
  'ready → cancelled',
  'leased → done',
  'leased → ready',
  'leased → failed',
  'leased → cancelled',
  'done → ready',
  'failed → ready',
  'failed → blocked',
  'cancelled → ready',
  'cancelled → blocked',
];

const JOB_ARROWS = [
  'SUBMITTED → PENDING',
  'SUBMITTED → PAUSED',
  'SUBMITTED → FAILED',
  'SUBMITTED → CANCELLED',
  'PENDING → RUNNING',
  'PENDING → PAUSED',
  'PENDING → COMPLETED',
  'PENDING → FAILED',
  'PENDING → CANCELLED',
  'RUNNING → PAUSED',
  'RUNNING → COMPLETED',
  'RUNNING → FAILED',
  'RUNNING → CANCELLED',
  'PAUSED → PENDING',
  'PAUSED → RUNNING',
  'PAUSED → COMPLETED',
  'PAUSED → FAILED',
  'PAUSED → CANCELLED',
  'FAILED → PENDING',
];

function pairs<S extends string>(states: readonly S[]): [S, S][] {
  return states.flatMap((from) => states.filter((to) => to !== from).map((to): [S, S] => [from, to]));
}

describe('the task state machine', () => {
  it.each(pairs(TASK_STATES))('%s → %s: allowed exactly when it is an arrow', (from, to) => {
    const move = (): void => assertTaskMove(from, to);
    if (TASK_ARROWS.includes(`${from} → ${to}`)) expect(move).not.toThrow();
    else expect(move).toThrow(new IllegalMoveError(`a task may not move from ${from} to ${to}`));
  });

  it('leaves failed or cancelled only for ready or blocked (a failed job retried)', () => {
    for (const to of TASK_STATES) {
      if (to === 'ready' || to === 'blocked') continue;
      if (to !== 'failed') expect(() => assertTaskMove('failed', to)).toThrow(IllegalMoveError);
      if (to !== 'cancelled') expect(() => assertTaskMove('cancelled', to)).toThrow(IllegalMoveError);
    }
  });
});

describe('the job state machine', () => {
  it.each(pairs(JOB_STATES))('%s → %s: allowed exactly when it is an arrow', (from, to) => {
    const move = (): void => assertJobMove(from, to);
    if (JOB_ARROWS.includes(`${from} → ${to}`)) expect(move).not.toThrow();
    else expect(move).toThrow(new IllegalMoveError(`a job may not move from ${from} to ${to}`));
  });

  it('never leaves a terminal state, but for a failed job retried (FAILED → PENDING)', () => {
    for (const [from, to] of pairs(JOB_STATES)) {
      if (isTerminal(from) && !(from === 'FAILED' && to === 'PENDING')) expect(() => assertJobMove(from, to)).toThrow(IllegalMoveError);
    }
  });
});
