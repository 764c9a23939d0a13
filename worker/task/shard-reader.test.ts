import { describe, expect, it } from 'vitest';
import { httpShardReader, shardRecords, type BlobShard } from './shard-reader.js';

const blob = 'c'.repeat(64);
const shard = (offset: number, length: number): BlobShard => ({ kind: 'blob', blob, offset, length, records: false, separator: '\n' });
const bytes = new TextEncoder().encode('0123456789');

function fakeFetch(status: 206 | 200) {
  const requests: { url: string; range: string | null }[] = [];
  const fetchBlob = (url: string, init?: RequestInit): Promise<Response> => {
    const range = new Headers(init?.headers).get('range');
    requests.push({ url, range });
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(range ?? '') ?? [];
    const body = status === 206 ? bytes.slice(Number(from), Number(to) + 1) : bytes;
    return Promise.resolve(new Response(body, { status }));
  };
  return { requests, fetchBlob };
}

describe('httpShardReader', () => {
  it('fetches the shard with a Range request from the worker blob route', async () => {
    const { requests, fetchBlob } = fakeFetch(206);
    const read = httpShardReader({ origin: 'http://127.0.0.1:8080', token: 'join me' }, fetchBlob);
    expect(new TextDecoder().decode(await read(shard(3, 4)))).toBe('3456');
    expect(requests).toEqual([{ url: `http://127.0.0.1:8080/api/v1/worker/blobs/${blob}?token=join+me`, range: 'bytes=3-6' }]);
  });

  it('cuts the shard out of a whole-blob answer, and fetches nothing for an empty shard', async () => {
    const { requests, fetchBlob } = fakeFetch(200);
    const read = httpShardReader({ origin: 'http://h', token: 't' }, fetchBlob);
    expect(new TextDecoder().decode(await read(shard(8, 2)))).toBe('89');
    expect(await read(shard(10, 0))).toEqual(new Uint8Array(0));
    expect(requests).toHaveLength(1);
  });

  it('waits out a coordinator answering 503 with Retry-After (a failover), then reads the shard', async () => {
    const answers = [503, 503, 206];
    const fetchBlob = () => {
      const status = answers.shift()!;
      const body = status === 206 ? '0' : 'no coordinator is ready';
      return Promise.resolve(new Response(body, { status, headers: status === 503 ? { 'retry-after': '0' } : {} }));
    };
    const read = httpShardReader({ origin: 'http://h', token: 't' }, fetchBlob);
    expect(new TextDecoder().decode(await read(shard(0, 1)))).toBe('0');
    expect(answers).toEqual([]);
  });

  it('fails with a BlobFetchError on an error status', async () => {
    const read = httpShardReader({ origin: 'http://h', token: 't' }, () => Promise.resolve(new Response('no', { status: 404 })));
    await expect(read(shard(0, 1))).rejects.toMatchObject({ name: 'BlobFetchError', message: expect.stringContaining('HTTP 404') as unknown });
  });
});

describe('shardRecords', () => {
  it('splits by the separator, dropping one trailing empty record', () => {
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    expect(shardRecords(encode('a\nb\n'), '\n')).toEqual(['a', 'b']);
    expect(shardRecords(encode('a\nb'), '\n')).toEqual(['a', 'b']);
    expect(shardRecords(encode('a;;b;;;;'), ';;')).toEqual(['a', 'b', '']);
    expect(shardRecords(encode(''), '\n')).toEqual([]);
  });
});
