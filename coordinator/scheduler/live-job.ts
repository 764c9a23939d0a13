import type { JobProgress } from '../../shared/index.js';
import type { JobRecord, TaskRecord } from '../store/index.js';

/** A job that may still change, held in memory with its tasks and the queue of ready ones. */
export class LiveJob {
  private readyQueue: number[] = [];
  private readyHead = 0;

  constructor(
    public record: JobRecord,
    public readonly tasks: TaskRecord[],
  ) {
    for (const task of tasks) if (task.state === 'ready') this.readyQueue.push(task.index);
  }

  get id(): string {
    return this.record.id;
  }

  /** Next ready task in queue order, taken off the queue. */
  takeReady(): TaskRecord | undefined {
    while (this.readyHead < this.readyQueue.length) {
      const index = this.readyQueue[this.readyHead++]!;
      const task = this.tasks[index];
      if (task?.state === 'ready') {
        this.compactQueue();
        return task;
      }
    }
    return undefined;
  }

  hasReady(): boolean {
    return this.readyHead < this.readyQueue.length;
  }

  queueDepth(): number {
    return this.readyQueue.length - this.readyHead;
  }

  makeReady(task: TaskRecord): void {
    task.state = 'ready';
    this.readyQueue.push(task.index);
  }

  progress(): JobProgress {
    const progress = { total: this.tasks.length, done: 0, failed: 0, running: 0 };
    for (const task of this.tasks) {
      if (task.state === 'done') progress.done++;
      else if (task.state === 'failed') progress.failed++;
      else if (task.state === 'leased') progress.running++;
    }
    return progress;
  }

  allDone(): boolean {
    return this.tasks.every((task) => task.state === 'done');
  }

  private compactQueue(): void {
    if (this.readyHead > 1024 && this.readyHead * 2 > this.readyQueue.length) {
      this.readyQueue = this.readyQueue.slice(this.readyHead);
      this.readyHead = 0;
    }
  }
}
