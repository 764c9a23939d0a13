import { TASK_STATES, assertTaskMove, type TaskState } from '../../shared/index.js';
import type { TaskRecord, TaskShape } from '../store/index.js';

const CODE = new Map<TaskState, number>(TASK_STATES.map((state, code) => [state, code]));

/**
 * A live job's tasks, as lean as a million of them must be: every task's state (one byte) and
 * first result index, kept always; a task's whole record (its input, attempts, blame,
 * checkpoint) only while it is warm — loaded because it is about to be leased, or leased, or
 * kept for what it holds that the store must not be asked for on the hot path. The store has
 * every record; a cold task is read from it when it is needed (see `LiveJob`).
 */
export class TaskTable {
  private readonly states: Uint8Array;
  /** Each task's first result index, ascending: which task holds a result. */
  private readonly firstItems: Float64Array;
  private readonly warm = new Map<number, TaskRecord>();
  /** Tasks by state, kept as they move: "all done" and a status read must not walk every task. */
  private readonly counts: Record<TaskState, number> = { blocked: 0, ready: 0, leased: 0, done: 0, failed: 0, cancelled: 0 };

  constructor(size: number, stateOf: (index: number) => TaskState, firstItemOf: (index: number) => number) {
    this.states = new Uint8Array(size);
    this.firstItems = new Float64Array(size);
    for (let index = 0; index < size; index++) {
      const state = stateOf(index);
      this.states[index] = CODE.get(state)!;
      this.firstItems[index] = firstItemOf(index);
      this.counts[state]++;
    }
  }

  /** The table of tasks as the store has them. */
  static fromShapes(shapes: readonly TaskShape[]): TaskTable {
    return new TaskTable(shapes.length, (index) => shapes[index]!.state, (index) => shapes[index]!.firstItem);
  }

  get size(): number {
    return this.states.length;
  }

  state(index: number): TaskState {
    return TASK_STATES[this.states[index]!]!;
  }

  count(state: TaskState): number {
    return this.counts[state];
  }

  /** The task's record, if it is warm. */
  get(index: number): TaskRecord | undefined {
    return this.warm.get(index);
  }

  /** How many records are held (for tests and stats). */
  get warmCount(): number {
    return this.warm.size;
  }

  /** Holds a task's record; its state is the one kept here (a change made while it was cold may not be in the store yet). */
  hold(record: TaskRecord): void {
    record.state = this.state(record.index);
    if (record.state !== 'done') record.output = null;
    this.warm.set(record.index, record);
  }

  /** Lets a task's record go: the store has it. */
  release(index: number): void {
    this.warm.delete(index);
  }

  /** Moves a task to `state`, keeping the counts; a move the task state machine does not allow throws. */
  setState(index: number, state: TaskState): void {
    const from = this.state(index);
    if (from === state) return;
    assertTaskMove(from, state);
    this.counts[from]--;
    this.counts[state]++;
    this.states[index] = CODE.get(state)!;
    const record = this.warm.get(index);
    if (record) record.state = state;
  }

  /** The task holding result index `unit`. */
  taskOfUnit(unit: number): number {
    let low = 0;
    let high = this.firstItems.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.firstItems[middle]! <= unit) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Calls `visit` with every task's state, in index order (a task map): O(tasks), no record read. */
  eachState(visit: (index: number, state: TaskState) => void): void {
    for (let index = 0; index < this.states.length; index++) visit(index, TASK_STATES[this.states[index]!]!);
  }

  /** Moves every task in one of `from` to `to` in one pass (a job's open tasks cancelled as it ends). */
  moveAll(from: readonly TaskState[], to: TaskState): void {
    const codes = new Set(from.map((state) => CODE.get(state)!));
    for (let index = 0; index < this.states.length; index++) if (codes.has(this.states[index]!)) this.setState(index, to);
  }
}
