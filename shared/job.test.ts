import { describe, expect, it } from 'vitest';
import { TASK_MAP_LETTERS, taskMapStates } from './job.js';
import { TASK_STATES } from './states.js';

describe('taskMapStates', () => {
  it("reads each letter back as the state it stands for, every state's letter its own", () => {
    const letters = TASK_STATES.map((state) => TASK_MAP_LETTERS[state]).join('');
    expect(new Set(letters).size).toBe(TASK_STATES.length);
    expect(taskMapStates({ states: letters })).toEqual([...TASK_STATES]);
    expect(taskMapStates({ states: '' })).toEqual([]);
  });
});
