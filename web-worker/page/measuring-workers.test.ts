import { describe, expect, it } from 'vitest';
import type { TensorReport } from '../../shared/index.js';
import type { TensorChosen } from '../tensor-messages.js';
import { measuringTaskWorkers } from './tensor.js';

/** A stand-in for a task Web Worker: what the page posts to it, and a way to answer. */
class FakeWorker extends EventTarget {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  answer(message: TensorChosen): void {
    this.dispatchEvent(new MessageEvent('message', { data: message }));
  }
}

const wasmReport: TensorReport = { chosen: { backend: 'wasm' }, figures: [{ backend: 'wasm', size: 256, gflops: 40 }], unavailable: [] };
const noStorage = { getItem: () => null, setItem: () => undefined };

function workers(prefer?: 'wasm'): { start: () => Worker; made: FakeWorker[]; reports: TensorReport[] } {
  const made: FakeWorker[] = [];
  const reports: TensorReport[] = [];
  const factory = measuringTaskWorkers(prefer, (report) => reports.push(report), noStorage, () => {
    const worker = new FakeWorker();
    made.push(worker);
    return worker as unknown as Worker;
  });
  return { start: factory, made, reports };
}

describe('measuringTaskWorkers', () => {
  it('measures once: workers started meanwhile are set up with the choice when it comes', () => {
    const { start, made, reports } = workers();
    start();
    start();
    start();
    expect(made[0]!.posted).toEqual([{ type: 'tensor-setup', matmulTunes: {} }]);
    expect(made[1]!.posted).toEqual([]);
    expect(made[2]!.posted).toEqual([]);
    made[0]!.answer({ type: 'tensor-chosen', report: wasmReport });
    expect(reports).toEqual([wasmReport]);
    for (const worker of made.slice(1)) expect(worker.posted).toEqual([{ type: 'tensor-setup', prefer: 'wasm', matmulTunes: {} }]);
    start();
    expect(made[3]!.posted).toEqual([{ type: 'tensor-setup', prefer: 'wasm', matmulTunes: {} }]);
  });

  it('takes the report of a waiting worker that had to measure for itself, and of no later one', () => {
    const { start, made, reports } = workers();
    start();
    start();
    made[1]!.answer({ type: 'tensor-chosen', report: wasmReport });
    expect(reports).toEqual([wasmReport]);
    // The first worker is the one the choice came from no longer: it is set up with the choice too.
    expect(made[0]!.posted).toHaveLength(1);
    start();
    made[2]!.answer({ type: 'tensor-chosen', report: { ...wasmReport, chosen: { backend: 'cpu' } } });
    expect(reports).toHaveLength(1);
  });

  it('sets every worker up at once with the backend the volunteer forced', () => {
    const { start, made } = workers('wasm');
    start();
    start();
    for (const worker of made) expect(worker.posted).toEqual([{ type: 'tensor-setup', prefer: 'wasm', matmulTunes: {} }]);
  });
});
