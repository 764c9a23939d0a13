import { createBlobReader, type BlobReader, type BlobReaderOptions } from './blob-reader.js';

/** Answers the source text of task code by its SHA-256. */
export type CodeFetcher = (sha256: string) => Promise<string>;

/** Where and how {@link createCodeFetcher} downloads task code: see {@link BlobReaderOptions}. */
export type CodeFetcherOptions = BlobReaderOptions;

/**
 * A {@link CodeFetcher} over a {@link BlobReader}: each source is decoded once and kept in memory
 * (task code is small, and every lease of a job asks for it).
 * @example const fetchCode = codeFetcherOf(createBlobReader({ origin: location.origin, token, cache: store.blobs }));
 */
export function codeFetcherOf(readBlob: BlobReader): CodeFetcher {
  const sources = new Map<string, Promise<string>>();
  return (sha256) => {
    let source = sources.get(sha256);
    if (!source) {
      source = readBlob(sha256).then((bytes) => new TextDecoder().decode(bytes));
      sources.set(sha256, source);
      // A failed download is not remembered: the next lease with this code tries again.
      source.catch(() => sources.delete(sha256));
    }
    return source;
  };
}

/**
 * A {@link CodeFetcher} that downloads from `GET /api/v1/worker/blobs/:sha256`, checks the bytes
 * against the hash, and keeps each source so nothing is downloaded twice.
 * @example
 * const fetchCode = createCodeFetcher({ origin: location.origin, token });
 * const source = await fetchCode(lease.code);
 */
export function createCodeFetcher(options: CodeFetcherOptions): CodeFetcher {
  return codeFetcherOf(createBlobReader(options));
}
