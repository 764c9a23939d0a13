import { checkTaskCount, chunkCount } from '../limits.js';
import type { RangeInput } from '../spec.js';
import { chunkLengths, type Partitioner } from './partitioner.js';

/** Sub-ranges of `start, start+step, ... < end`; the task's input is `{ start, end, step }`. */
export const rangePartitioner: Partitioner<RangeInput> = {
  partition(input, { limits }) {
    const { start, end, step } = input.range;
    const count = Math.ceil((end - start) / step);
    checkTaskCount(chunkCount(count, input.chunkSize, input.chunks), limits.maxTasks, 'input', 'use a larger chunkSize, or chunks');
    let first = 0;
    return chunkLengths(count, input.chunkSize, input.chunks).map((length, index) => {
      const share = {
        input: { start: start + first * step, end: Math.min(end, start + (first + length) * step), step },
        firstItem: index,
        itemCount: 1,
      };
      first += length;
      return share;
    });
  },
};
