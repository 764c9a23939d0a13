import { describe, expect, it } from 'vitest';
import { blobBytes, RecentBlobs } from './task-blobs.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const SHA_C = 'c'.repeat(64);

function reader(blobs: Record<string, Uint8Array>) {
  const asked: string[] = [];
  const read = (sha256: string): Promise<Uint8Array> => {
    asked.push(sha256);
    const bytes = blobs[sha256];
    return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`no blob ${sha256}`));
  };
  return { read, asked };
}

describe('blobBytes', () => {
  const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);

  it('answers a whole blob, or a copy of a range of it', async () => {
    const { read } = reader({ [SHA_A]: bytes });
    const ctxBlob = blobBytes(read);
    expect(await ctxBlob({ blob: SHA_A })).toBe(bytes);
    const range = await ctxBlob(SHA_A, { offset: 2, length: 3 });
    expect(Array.from(range)).toEqual([2, 3, 4]);
    expect(range.byteOffset).toBe(0);
    expect(range.buffer).not.toBe(bytes.buffer);
    expect((await ctxBlob(SHA_A, { offset: 10, length: 0 })).length).toBe(0);
  });

  it('refuses ranges that are not whole numbers or run past the end', async () => {
    const ctxBlob = blobBytes(reader({ [SHA_A]: bytes }).read);
    await expect(ctxBlob(SHA_A, { offset: 8, length: 3 })).rejects.toThrow(/bytes 8\.\.11 are past the end of blob a+ \(10 bytes\)/);
    await expect(ctxBlob(SHA_A, { offset: -1, length: 3 })).rejects.toThrow(RangeError);
    await expect(ctxBlob(SHA_A, { offset: 0.5, length: 3 })).rejects.toThrow(/whole numbers/);
    await expect(ctxBlob('nope', { offset: 0, length: 1 })).rejects.toThrow(/not a blob reference/);
  });

  it('reads ranges through the given reader, wholes through the other', async () => {
    const whole = reader({ [SHA_A]: bytes });
    const ranged = reader({ [SHA_A]: bytes });
    const ctxBlob = blobBytes(whole.read, ranged.read);
    await ctxBlob(SHA_A, { offset: 0, length: 1 });
    await ctxBlob(SHA_A);
    expect(ranged.asked).toEqual([SHA_A]);
    expect(whole.asked).toEqual([SHA_A]);
  });
});

describe('RecentBlobs', () => {
  it('reads each blob once while it fits, dropping the least recently used past the cap', async () => {
    const { read, asked } = reader({ [SHA_A]: new Uint8Array(4), [SHA_B]: new Uint8Array(4), [SHA_C]: new Uint8Array(4) });
    const recent = new RecentBlobs(8);
    await recent.read(SHA_A, read);
    await recent.read(SHA_B, read);
    await recent.read(SHA_A, read);
    expect(asked).toEqual([SHA_A, SHA_B]);
    // C pushes out B, the least recently used.
    await recent.read(SHA_C, read);
    await recent.read(SHA_A, read);
    await recent.read(SHA_B, read);
    expect(asked).toEqual([SHA_A, SHA_B, SHA_C, SHA_B]);
  });

  it('shares one read among callers at once, and forgets a failed one', async () => {
    const { read, asked } = reader({ [SHA_A]: new Uint8Array(4) });
    const recent = new RecentBlobs();
    await Promise.all([recent.read(SHA_A, read), recent.read(SHA_A, read)]);
    expect(asked).toEqual([SHA_A]);
    await expect(recent.read(SHA_B, read)).rejects.toThrow(/no blob/);
    await expect(recent.read(SHA_B, read)).rejects.toThrow(/no blob/);
    expect(asked).toEqual([SHA_A, SHA_B, SHA_B]);
  });
});
