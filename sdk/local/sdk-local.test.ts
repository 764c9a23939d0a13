import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/index.js';
import { Tabgrid } from '../client.js';

/** A client whose coordinator serves one blob and fails every other request. */
async function gridWithBlob(source: string) {
  const sha = await sha256Hex(source);
  const requests: string[] = [];
  const grid = new Tabgrid({
    url: 'http://coordinator.test',
    token: 'admin',
    fetch: (url) => {
      requests.push(url);
      if (url === `http://coordinator.test/api/v1/blobs/${sha}`) return new Response(source);
      return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no' } }), { status: 404 });
    },
  });
  return { grid, sha, requests };
}

describe('the SDK in local mode', () => {
  it('map(..., { local: true }) runs in this process and resolves the same outputs', async () => {
    const { grid, requests } = await gridWithBlob('');
    const outputs = await grid.map([1, 2, 3, 4], (x: number, ctx) => {
      ctx.log('squaring', x);
      return x * x;
    }, { local: true, chunkSize: 3 });
    expect(outputs).toEqual([1, 4, 9, 16]);
    expect(requests).toEqual([]);
  });

  it("submit({ runMode: 'local' }) resolves a LocalJob, reading blob code from the coordinator", async () => {
    const { grid, sha, requests } = await gridWithBlob('export default (x) => x + 1');
    const job = await grid.submit({ name: 'local', code: { blob: sha }, input: { items: [1, 2] }, runMode: 'local' });
    expect(job.id).toMatch(/^local_/);
    expect(await job.wait()).toMatchObject({ state: 'COMPLETED', runMode: 'local' });
    const outputs: unknown[] = [];
    for await (const { output } of job.results()) outputs.push(output);
    expect(outputs).toEqual([2, 3]);
    expect(requests).toEqual([`http://coordinator.test/api/v1/blobs/${sha}`]);
  });

  it('map(..., { local: true }) rejects with JobFailedError carrying the task error', async () => {
    const { grid } = await gridWithBlob('');
    const failing = grid.map([1], () => {
      throw new Error('too big');
    }, { local: true, retry: { maxAttempts: 1 } });
    await expect(failing).rejects.toMatchObject({ name: 'JobFailedError', message: 'too big' });
  });
});
