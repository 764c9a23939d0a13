import { describe, expect, it } from 'vitest';
import { IdleRuntimes } from './idle-runtimes.js';

describe('IdleRuntimes', () => {
  it("gives a job its own idle runtime, else a fresh one, never another job's", () => {
    const disposed: string[] = [];
    const idle = new IdleRuntimes<string>(() => 3, (runtime) => disposed.push(runtime));
    idle.put('fresh', undefined);
    idle.put('ran-a', 'job_a');
    expect(idle.take('job_b')).toBe('fresh');
    expect(idle.take('job_b')).toBeUndefined();
    expect(idle.take('job_a')).toBe('ran-a');
    expect(idle.size).toBe(0);
    expect(disposed).toEqual([]);
  });

  it('keeps at most `keep` idle runtimes, disposing the oldest', () => {
    let keep = 2;
    const disposed: string[] = [];
    const idle = new IdleRuntimes<string>(() => keep, (runtime) => disposed.push(runtime));
    idle.put('a', 'job_a');
    idle.put('b', 'job_b');
    idle.put('c', 'job_c');
    expect(disposed).toEqual(['a']);
    keep = 0;
    idle.put('d', 'job_d');
    // At least one is kept.
    expect(disposed).toEqual(['a', 'b', 'c']);
    expect(idle.remove('d')).toBe(true);
    expect(idle.remove('d')).toBe(false);
    idle.put('e', undefined);
    expect(idle.drain()).toEqual(['e']);
  });
});
