import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { createLogger, SILENT_LOG } from './log.js';

/** A stream that keeps what is written to it, a terminal or not. */
class Captured extends Writable {
  readonly text: string[] = [];

  constructor(readonly isTTY: boolean) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text.push(chunk.toString('utf8'));
    done();
  }

  lines(): string[] {
    return this.text.join('').split('\n').filter((line) => line !== '');
  }
}

describe('createLogger', () => {
  test('writes one JSON line per event at or above its level: the level by name, the time in ISO 8601, the fields beside the message', () => {
    const output = new Captured(false);
    const log = createLogger('info', output);
    log.debug('left out');
    log.child({ requestId: 'r1' }).warn({ jobId: 'job_1', taskIndex: 2 }, 'attempt failed');
    const lines = output.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', requestId: 'r1', jobId: 'job_1', taskIndex: 2, msg: 'attempt failed' })]);
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  test('logs an error with its stack', () => {
    const output = new Captured(false);
    createLogger('error', output).error({ err: new Error('boom') }, 'unexpected');
    const [line] = output.lines().map((text) => JSON.parse(text) as { err: { message: string; stack: string } });
    expect(line?.err.message).toBe('boom');
    expect(line?.err.stack).toContain('log.test.ts');
  });

  test('writes readable lines to a terminal', async () => {
    const output = new Captured(true);
    createLogger('debug', output).info({ jobId: 'job_1' }, 'job submitted');
    await expect.poll(() => output.lines()).toHaveLength(1);
    const [line] = output.lines();
    expect(() => JSON.parse(line!) as unknown).toThrow();
    expect(line).toMatch(/INFO.*job submitted.*"jobId":"job_1"/);
  });

  test('silent writes nothing', () => {
    expect(createLogger('silent', new Captured(false))).toBe(SILENT_LOG);
    expect(SILENT_LOG.isLevelEnabled('error')).toBe(false);
  });
});
