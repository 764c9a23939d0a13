import { describe, expect, it } from 'vitest';
import { JobStatus, MAX_GRAPH_TASKS, TaskGraph, type JobSpecInput } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, readBody, serverCaller, useRealServers } from '../test-helpers.js';

// A job's task graph, as the admin panel draws it, over a real server: from memory while the job
// is live, rebuilt from the store once it has ended.

const { start } = useRealServers();

async function submit(coordinator: Coordinator, spec: Partial<JobSpecInput>): Promise<JobStatus> {
  const response = await serverCaller(coordinator)('POST', '/api/v1/jobs', { json: { name: 'drawn', code: DOUBLE_CODE, input: { items: [1] }, ...spec } });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

const graphOf = async (coordinator: Coordinator, jobId: string) => readBody(await serverCaller(coordinator)('GET', `/api/v1/jobs/${jobId}/graph`), TaskGraph);

describe('GET /api/v1/jobs/:id/graph', () => {
  it("answers a live job's task edges, the reduce step waiting for every task, and the same once it has ended", async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { input: { items: [1, 2, 3, 4] }, dependencies: [[0, 1], [1, 3], [2, 3]], reduce: 'export default (outputs) => outputs.length' });
    const live = await graphOf(coordinator, job.id);
    expect(live.tasks).toBe(5);
    expect(live.tooLarge).toBe(false);
    expect(live.edges).toEqual(expect.arrayContaining([[0, 1], [1, 3], [2, 3], [0, 4], [1, 4], [2, 4], [3, 4]]));
    expect(live.edges).toHaveLength(7);

    await serverCaller(coordinator)('POST', `/api/v1/jobs/${job.id}/cancel`);
    const ended = await graphOf(coordinator, job.id);
    expect(ended.edges.sort()).toEqual(live.edges.sort());
  });

  it('answers no edges for a job without dependencies, and tooLarge past the limit; 404 for an unknown job', async () => {
    const coordinator = await start();
    const plain = await submit(coordinator, { input: { items: [1, 2] } });
    expect(await graphOf(coordinator, plain.id)).toEqual({ tasks: 2, edges: [], tooLarge: false });
    const big = await submit(coordinator, { input: { items: Array.from({ length: MAX_GRAPH_TASKS + 1 }, (_, n) => n) }, dependencies: [[0, 1]] });
    expect(await graphOf(coordinator, big.id)).toEqual({ tasks: MAX_GRAPH_TASKS + 1, edges: [], tooLarge: true });
    expect((await serverCaller(coordinator)('GET', '/api/v1/jobs/job_none/graph')).status).toBe(404);
  });
});
